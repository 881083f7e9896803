-- A merged entity's mentions name the survivor, and every settled entity's mentions carry its label.
update entity_mentions set entity_id = merges.to_id
from temp.entity_merges as merges
where entity_mentions.entity_id = merges.from_id;

update entity_mentions set label = settled.label
from temp.settled_entities as settled
where entity_mentions.entity_id = settled.entity_id and entity_mentions.label <> settled.label
