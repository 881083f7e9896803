-- The entities whose rows this run recomputes (entity_names, delete_entities, insert_entities): those
-- of its new mentions and entities, and those whose mentions go with the articles it replaces. Read
-- before delete_replaced_entity_mentions removes those mentions; no other entity's row can change,
-- so the load costs what the run touches, not the size of the warehouse.
create or replace temp table touched_entities as
select entity_id from entity_mentions
where article_id in (select article_id from temp.replaced_articles)
union
select entity_id from read_parquet($mentions)
union
select entity_id from read_parquet($entities)
