-- The entities $name may mean when it means more than one: the closest matches of entity_lookup (two people
-- whose surname it is) and the full names entity settlement recorded for it (ambiguous_names).
with matches as (
    select * from entity_lookup where form = lower($name)
),

closest as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
),

meant as (
    select name from closest
    where (select count(*) from closest) > 1
    union
    select unnest(recorded.candidates) as name
    from ambiguous_names as recorded
    join closest using (entity_id)
)

select name from meant order by name
