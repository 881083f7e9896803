-- Only the rows of the entities this run touched: insert_entities writes them again from their mentions.
delete from entities where entity_id in (select entity_id from temp.touched_entities)
