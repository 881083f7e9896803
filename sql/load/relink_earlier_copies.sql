-- Earlier copies whose duplicate links changed because this batch brought an earlier copy (earlier
-- batches of the same run included: they were loaded into the run's open transaction before it).
update articles
set duplicate_of = links.duplicate_of, story_id = links.story_id
from read_parquet($duplicates) as links
where articles.article_id = links.article_id
    and articles.article_id not in (select article_id from temp.staged_articles($articles, $duplicates))
