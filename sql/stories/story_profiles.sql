-- The summed term weights of the stories in $story_ids: their profiles to compare articles with.
select story_id, kind, term, sum(weight) as weight
from story_terms
where story_id in (select unnest($story_ids::varchar[]))
    and article_id not in (select unnest($run_article_ids::varchar[]))
group by story_id, kind, term
order by story_id, kind, term
