-- The staged articles joined to their duplicate links, read from the batch's files by each statement
-- that needs them. A macro, not a temporary table: a run loads batch after batch into one open
-- transaction, which keeps every replaced table's rows until it commits (DuckDB can still roll it
-- back), so a temporary table of each batch's texts grew the run's memory by ~14 MB a batch.
create or replace temp macro staged_articles(articles, duplicates) as table
select a.*, d.duplicate_of, d.story_id
from read_parquet(articles) as a
left join read_parquet(duplicates) as d using (article_id)
