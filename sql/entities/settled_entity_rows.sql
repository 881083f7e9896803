-- The settled entities' rows are written again from their mentions (load/insert_entities.sql reads these
-- two temporary tables), under their settled names; the merged entities' rows go.
create or replace temp table touched_entities as
select entity_id from temp.settled_entities;

create or replace temp table entity_names as
select entity_id, name, label from temp.settled_entities;

delete from entities
where entity_id in (select entity_id from temp.settled_entities)
    or entity_id in (select from_id from temp.entity_merges)
