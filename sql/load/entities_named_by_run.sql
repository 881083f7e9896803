-- The entities the run's loads have named so far (its batches load one after another into one
-- transaction): their names are still the run's to choose, as if the run had loaded all at once.
create temp table if not exists entities_named_by_run (entity_id varchar)
