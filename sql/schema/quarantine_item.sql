-- Warehouses made before this column existed gain it (create table if not exists leaves them as they were).
alter table quarantine add column if not exists item varchar
