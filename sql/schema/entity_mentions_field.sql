-- Warehouses made before this column existed gain it (create table if not exists leaves them as they were).
alter table entity_mentions add column if not exists field varchar
