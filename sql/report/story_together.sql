-- Who is in story $story together: the named pairs that share the most of its articles.
with story_entities as (
    select distinct m.article_id, m.entity_id
    from entity_mentions as m
    join articles as a using (article_id)
    where a.story_id = $story and m.label in ('PERSON', 'ORG', 'GPE', 'NORP', 'FAC', 'LOC', 'EVENT')
)

select ea.name as name_a, ea.label as label_a, eb.name as name_b, eb.label as label_b,
    count(*) as shared_articles
from story_entities as a
join story_entities as b on a.article_id = b.article_id and a.entity_id < b.entity_id
join entities as ea on ea.entity_id = a.entity_id
join entities as eb on eb.entity_id = b.entity_id
group by all
order by shared_articles desc, name_a, name_b
limit 15
