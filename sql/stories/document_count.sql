-- Articles the warehouse holds, less the run's own (a re-run): the IDF's number of documents.
select count(*) as documents
from articles
where article_id not in (select unnest($run_article_ids::varchar[]))
