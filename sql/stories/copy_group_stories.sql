-- Loaded articles (not the run's) in the copy groups whose earliest copies are $roots: the originals
-- themselves and the copies linked to them. A run's copy of a loaded article joins its story.
select article_id, duplicate_of, story_id, published_date, input_order
from articles
where run_id is distinct from $this_run
    and (article_id in (select unnest($roots::varchar[])) or duplicate_of in (select unnest($roots::varchar[])))
order by article_id
