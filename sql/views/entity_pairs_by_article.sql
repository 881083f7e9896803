-- Two entities mentioned in the same article: one row per pair (entity_a < entity_b), with how many articles.
create or replace view entity_pairs_by_article as
with article_entities as (
    select distinct article_id, entity_id
    from entity_mentions
),

pairs as (
    select a.entity_id as entity_a, b.entity_id as entity_b, count(*) as shared_articles
    from article_entities as a
    join article_entities as b on a.article_id = b.article_id and a.entity_id < b.entity_id
    group by a.entity_id, b.entity_id
),

final as (
    select pairs.entity_a, ea.name as name_a, ea.label as label_a,
        pairs.entity_b, eb.name as name_b, eb.label as label_b, pairs.shared_articles
    from pairs
    join entities as ea on ea.entity_id = pairs.entity_a
    join entities as eb on eb.entity_id = pairs.entity_b
)

select * from final
