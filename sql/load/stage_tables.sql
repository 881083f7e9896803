create or replace temp table staged_articles as
select a.*, d.duplicate_of, d.story_id
from read_parquet($articles) as a
left join read_parquet($duplicates) as d using (article_id)
