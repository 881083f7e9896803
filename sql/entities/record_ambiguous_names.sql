-- The names settlement left apart because two or more full forms fit them, as the lake stands now.
delete from ambiguous_names;

insert into ambiguous_names by name
select entity_id, name, label, candidate_ids, candidates, $run_id as run_id
from temp.settled_ambiguities
