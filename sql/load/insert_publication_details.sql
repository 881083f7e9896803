insert into publication_details by name
select article_id, published_time, published_timezone, date_confidence, $run_id as run_id
from temp.staged_articles($articles, $duplicates)
where published_date is not null
