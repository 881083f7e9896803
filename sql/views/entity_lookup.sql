-- Every way a reader may ask for an entity, with how close the form is to it: 1 its name, 2 one of the ways
-- the articles write it (aliases), 3 a person's surname alone ("Rubio"). The example queries that take
-- $name take the closest matches (tasks/entity_settlement.py links the rest of the spellings).
create or replace view entity_lookup as
select entity_id, name, label, lower(name) as form, 1 as closeness
from entities
union all
select entity_id, name, label, lower(alias) as form, 2 as closeness
from entities, unnest(aliases) as spelling(alias)
union all
select entity_id, name, label, lower(regexp_extract(name, '(\S+)$', 1)) as form, 3 as closeness
from entities
where label = 'PERSON' and name like '% %'
