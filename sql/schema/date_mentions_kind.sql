-- Warehouses created before date_mentions had `kind` get the column (empty in their earlier rows).
alter table date_mentions add column if not exists kind varchar
