-- The lengths of the articles this load step staged (a run loads batch by batch: only this step's).
insert into search_documents by name
select article_id, sum(term_count)::integer as terms, $run_id as run_id
from search_terms
where run_id = $run_id and article_id in (select article_id from temp.staged_articles($articles, $duplicates))
group by article_id
