-- The persisted profiles of the stories in $story_ids, to compare the run's articles with.
select story_id, kind, term, weight
from story_profiles
where story_id in (select unnest($story_ids::varchar[]))
order by story_id, kind, term
