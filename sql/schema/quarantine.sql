create table if not exists quarantine (
    source_path varchar not null,
    record_index integer,
    stage varchar not null,           -- ingest | raw | clean | extracted: where it was set aside
    reason varchar not null,
    run_id varchar not null,
    input_id varchar                  -- content hash of the input, when it could be read
)
