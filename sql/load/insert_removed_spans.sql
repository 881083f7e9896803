insert into removed_spans by name
select article_id, span.start_char, span.end_char, span.rule, $run_id as run_id
from (select article_id, unnest(removed_spans) as span from temp.staged_articles($articles, $duplicates))
