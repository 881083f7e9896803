-- The entities mentioned in the most articles, for one spaCy label ($label: PERSON, ORG, GPE, ... in any case).
with ranked as (
    select name, label, article_count, mention_count
    from entities
    where lower(label) = lower($label)
)

select * from ranked
order by article_count desc, mention_count desc, name
limit 20
