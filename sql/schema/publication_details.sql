create table if not exists publication_details (
    article_id varchar not null,
    published_time time,              -- as printed beside the date; null when none is printed
    published_timezone varchar,       -- as printed: ET, GMT, UTC, +03:00; null when none is printed
    date_confidence double,           -- 0.5 (a modified date) .. 0.99 (several kinds of evidence agree): README, Publication dates
    run_id varchar not null
)
