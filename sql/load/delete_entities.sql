delete from entities
