create table if not exists removed_spans (
    article_id varchar not null,
    start_char integer not null,      -- offsets into the raw text the article was cleaned from
    end_char integer not null,
    rule varchar not null,            -- the cleaning rule that took the span out (tasks/clean.py)
    run_id varchar not null
)
