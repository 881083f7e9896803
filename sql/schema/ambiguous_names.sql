-- A surname or acronym settlement did not link because more than one full form in the lake fits it
-- ("Clinton" beside "Bill Clinton" and "Hillary Clinton"); rewritten by every run (tasks/entity_settlement.py).
create table if not exists ambiguous_names (
    entity_id varchar not null,       -- the entity the short form stays as
    name varchar not null,
    label varchar not null,
    candidate_ids varchar[] not null, -- the entities it could be
    candidates varchar[] not null,    -- their names
    run_id varchar not null           -- the run that last settled the lake
)
