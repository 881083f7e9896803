create table if not exists clean_text_map (
    article_id varchar not null,
    clean_start integer not null,     -- clean_text[clean_start : clean_start + length]
    raw_start integer not null,       -- == raw text[raw_start : raw_start + length] (no-break spaces read as spaces)
    length integer not null,
    run_id varchar not null
)
