-- Warehouses made before the contact column get it here (a no-op on newer ones).
alter table articles add column if not exists contact varchar
