insert into quotes by name
select article_id, start_char, end_char, quote, speaker, speaker_entity_id, kind, speaker_source
from read_parquet($quotes)
where article_id in (select article_id from temp.staged_articles($articles, $duplicates))
