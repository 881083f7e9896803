-- What each line of the person's aliases file did in this run.
insert into entity_corrections by name
select $run_id as run_id, line, action, name, other, outcome
from temp.applied_corrections
