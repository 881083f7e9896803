-- The entities this load touches: those of its new mentions and entities, and those whose mentions go
-- with the articles it replaces. Read before delete_replaced_entity_mentions removes those mentions;
-- no other entity's row can change, so the run's entity rows cost what it touches, not the size of
-- the warehouse.
insert into temp.touched_entities
select entity_id from (
    select entity_id from entity_mentions
    where article_id in (select article_id from temp.replaced_articles)
    union
    select entity_id from read_parquet($mentions)
    union
    select entity_id from read_parquet($entities)
)
-- Numbers and dates are mentions with no entity: a null here would make every later batch's `not in` empty.
where entity_id is not null and entity_id not in (select entity_id from temp.touched_entities)
