-- A person's "different" line (aliases file): the spellings it names leave the entity a batch or an earlier run
-- merged them into, for their own.
update entity_mentions set entity_id = splits.to_id
from temp.entity_splits as splits
where entity_mentions.entity_id = splits.entity_id and entity_mentions.text = splits.text
