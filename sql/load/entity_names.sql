-- Names already in the warehouse before the run win, so an entity's name does not change from run to
-- run. An entity new to the warehouse takes the least of the names the run's batches gave it so far:
-- the same name whichever batch brought which spelling.
create or replace temp table entity_names as
with known as (
    select entity_id, name, label from entities
    where entity_id in (select entity_id from temp.touched_entities)
        and entity_id not in (select entity_id from temp.entities_named_by_run)
),

named_by_run as (
    select entity_id, name, label from entities
    where entity_id in (select entity_id from temp.touched_entities)
        and entity_id in (select entity_id from temp.entities_named_by_run)
    union all
    select entity_id, name, label from read_parquet($entities)
),

new as (
    select entity_id, arg_min(name, name) as name, any_value(label) as label
    from named_by_run
    where entity_id not in (select entity_id from known)
    group by entity_id
)

select *, false as named_by_run from known
union all
select *, true as named_by_run from new
