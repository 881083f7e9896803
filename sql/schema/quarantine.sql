create table if not exists quarantine (
    source_path varchar not null,
    record_index integer,
    stage varchar not null,           -- ingest | raw | clean | extracted | date_mentions | quotes: where it was set aside
    reason varchar not null,
    run_id varchar not null,
    input_id varchar,                 -- content hash of the input, when it could be read
    item varchar,                     -- null: the whole input; else the row set aside from a loaded article
                                      -- ('entity mention' | 'date mention' | 'quote')
    article_id varchar,               -- the loaded article the item was set aside from
    detail varchar                    -- the item's row, as JSON
)
