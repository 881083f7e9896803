-- A quote's speaker is the settled entity, under its settled name.
update quotes set speaker_entity_id = merges.to_id
from temp.entity_merges as merges
where quotes.speaker_entity_id = merges.from_id;

update quotes set speaker = settled.name
from temp.settled_entities as settled
where quotes.speaker_entity_id = settled.entity_id and quotes.speaker is distinct from settled.name
