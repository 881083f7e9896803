-- What is mentioned in the same sentences as $name (canonical name, any spelling in aliases or a person's surname alone, any case), by how many sentences they share.
with matches as (
    select * from entity_lookup where form = lower($name)
),

entity as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
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
