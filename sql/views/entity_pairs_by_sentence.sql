-- Two entities mentioned in the same sentence: one row per pair (entity_a < entity_b), with how many sentences.
-- A sentence is numbered within its field: the title's first sentence is not the body's.
create or replace view entity_pairs_by_sentence as
with sentence_entities as (
    select distinct article_id, coalesce(field, 'body') as field, sentence_index, entity_id
    from entity_mentions
),

pairs as (
    select a.entity_id as entity_a, b.entity_id as entity_b, count(*) as shared_sentences,
        count(distinct a.article_id) as shared_articles
    from sentence_entities as a
    join sentence_entities as b
        on a.article_id = b.article_id and a.field = b.field and a.sentence_index = b.sentence_index
        and a.entity_id < b.entity_id
    group by a.entity_id, b.entity_id
),

final as (
    select pairs.entity_a, ea.name as name_a, ea.label as label_a,
        pairs.entity_b, eb.name as name_b, eb.label as label_b, pairs.shared_sentences, pairs.shared_articles
    from pairs
    join entities as ea on ea.entity_id = pairs.entity_a
    join entities as eb on eb.entity_id = pairs.entity_b
)

select * from final
