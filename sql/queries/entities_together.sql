-- Entities mentioned in the same articles as $name (canonical name, any alias or a person's surname alone, any case),
-- by how many articles they share.
with matches as (
    select * from entity_lookup where form = lower($name)
),

entity as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
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
