-- The settlement plan (tasks/entity_settlement.py), registered from Arrow as plan_*, copied into temporary
-- tables the statements after it read (registered tables leave with the settlement; these stay to commit).
create or replace temp table entity_merges as select * from plan_entity_merges;

create or replace temp table settled_entities as select * from plan_settled_entities;

create or replace temp table entity_splits as select * from plan_entity_splits;

create or replace temp table settled_ambiguities as select * from plan_settled_ambiguities;

create or replace temp table applied_corrections as select * from plan_applied_corrections
