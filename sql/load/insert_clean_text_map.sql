insert into clean_text_map by name
select article_id, piece.clean_start, piece.raw_start, piece.length, $run_id as run_id
from (select article_id, unnest(text_map) as piece from temp.staged_articles($articles, $duplicates))
