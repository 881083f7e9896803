select entity_id
from entities
