-- Each run's reading of the person's aliases file (`newsflow run --aliases`, README "Correcting entities"):
-- line by line, what it asked and what it did.
create table if not exists entity_corrections (
    run_id varchar not null,
    line integer not null,            -- line of the file
    action varchar not null,          -- same | different
    name varchar not null,
    other varchar not null,
    outcome varchar not null          -- applied | split | kept apart | already apart | no entity is written '…'
)
