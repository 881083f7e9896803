-- The entities this load named (entity_names): a later batch of the run may give them a lesser name.
insert into temp.entities_named_by_run
select entity_id from temp.entity_names
where named_by_run and entity_id not in (select entity_id from temp.entities_named_by_run)
