-- Which of $entity_ids have a mention in an article of another run: those loaded before this one keep their ids.
select distinct m.entity_id
from entity_mentions as m
join articles as a using (article_id)
where a.run_id <> $run_id
    and m.entity_id in (select unnest($entity_ids::varchar[]))
