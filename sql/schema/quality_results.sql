create table if not exists quality_results (
    run_id varchar not null,
    suite varchar not null,
    expectation varchar not null,
    column_name varchar,
    on_failure varchar not null,      -- quarantine (rows set aside) | fail (run stops)
    success boolean not null,
    element_count bigint,
    unexpected_count bigint
)
