-- Articles the warehouse holds, less the batch's own (a re-run) and those of the batch's run (its
-- settled batches: the run counts them itself): the IDF's number of documents.
select count(*) as documents
from articles
where article_id not in (select unnest($run_article_ids::varchar[]))
    and run_id is distinct from $this_run
