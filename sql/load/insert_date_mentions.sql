insert into date_mentions by name
select article_id, start_char, end_char, text, resolved_date, granularity, kind
from read_parquet($date_mentions)
where article_id in (select article_id from temp.staged_articles($articles, $duplicates))
