-- Every entity the lake holds once the run's batches are loaded: what settlement links (tasks/entity_settlement.py).
select entity_id, name, label, mention_count, aliases
from entities
order by entity_id
