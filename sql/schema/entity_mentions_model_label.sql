-- Warehouses made before the model's own label was kept gain the column (null for their earlier rows).
alter table entity_mentions add column if not exists model_label varchar
