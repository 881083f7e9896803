-- Names already in the warehouse before the run win, so an entity's name does not change from run to
-- run. An entity new to the warehouse takes the least of the names the run's batches gave it: the
-- same name whichever batch brought which spelling. Run once, after the last batch, over every
-- batch's entities ($entities): the entities table holds only earlier runs' rows until then.
create or replace temp table entity_names as
with known as (
    select entity_id, name, label from entities
    where entity_id in (select entity_id from temp.touched_entities)
),

new as (
    select entity_id, arg_min(name, name) as name, any_value(label) as label
    from read_parquet($entities)
    where entity_id not in (select entity_id from known)
    group by entity_id
)

select * from known
union all
select * from new
