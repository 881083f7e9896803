-- What the warehouse knows of each entity, as evidence for resolving a new run's mentions.
select entity_id, name, label, mention_count
from entities
order by entity_id
