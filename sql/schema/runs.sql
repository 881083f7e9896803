create table if not exists runs (
    run_id varchar not null,
    started_at timestamp with time zone not null,
    finished_at timestamp with time zone,
    status varchar not null,          -- completed | failed
    source varchar,
    model varchar,
    files_seen integer,
    inputs_seen integer,              -- files, plus records of .json/.jsonl files
    articles_loaded integer,
    unchanged_skips integer,
    quarantined integer,
    duplicates integer,
    mentions integer,
    entities integer,
    stage_seconds varchar,            -- JSON object: stage name -> seconds
    message varchar
)
