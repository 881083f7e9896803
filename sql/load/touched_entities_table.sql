-- The entities whose rows the run recomputes once, after its last batch (touched_entities, then
-- entity_names, delete_entities, insert_entities): every batch's load adds to it.
create temp table if not exists touched_entities (entity_id varchar)
