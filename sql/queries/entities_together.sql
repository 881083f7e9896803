-- Entities mentioned in the same articles as $name (canonical name or any alias, any case), by how many articles they share.
with entity as (
    select entity_id, name from entities
    where lower(name) = lower($name) or list_contains([lower(alias) for alias in aliases], lower($name))
),

its_articles as (
    select distinct article_id from entity_mentions join entity using (entity_id)
),

others as (
    select m.entity_id, count(distinct m.article_id) as shared_articles
    from entity_mentions as m
    join its_articles using (article_id)
    where m.entity_id not in (select entity_id from entity)
    group by m.entity_id
)

select e.name, e.label, others.shared_articles
from others
join entities as e using (entity_id)
order by shared_articles desc, name
limit 20
