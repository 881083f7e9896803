-- What is mentioned in the same sentences as $name (canonical name or any spelling in aliases, any case), by how many sentences they share.
with entity as (
    select entity_id, name from entities
    where lower(name) = lower($name) or list_contains([lower(alias) for alias in aliases], lower($name))
),

pairs as (
    select p.name_b as name, p.label_b as label, p.shared_sentences, p.shared_articles
    from entity_pairs_by_sentence as p
    join entity on entity.entity_id = p.entity_a
    union all
    select p.name_a as name, p.label_a as label, p.shared_sentences, p.shared_articles
    from entity_pairs_by_sentence as p
    join entity on entity.entity_id = p.entity_b
)

select * from pairs
order by shared_sentences desc, name
limit 20
