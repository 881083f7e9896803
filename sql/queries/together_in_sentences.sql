-- What is mentioned in the same sentences as $name (canonical name), by how many sentences they share.
with pairs as (
    select name_b as name, label_b as label, shared_sentences, shared_articles
    from entity_pairs_by_sentence
    where name_a = $name
    union all
    select name_a as name, label_a as label, shared_sentences, shared_articles
    from entity_pairs_by_sentence
    where name_b = $name
)

select * from pairs
order by shared_sentences desc, name
limit 20
