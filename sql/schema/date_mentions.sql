create table if not exists date_mentions (
    article_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    text varchar not null,
    resolved_date date,               -- first day of the period named; null when it needs a publication date the article lacks
    granularity varchar,              -- day | week | month | quarter | year | decade
    kind varchar                      -- absolute | relative | weekday | period (null in rows loaded before it existed)
)
