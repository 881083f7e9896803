create table if not exists date_mentions (
    article_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    text varchar not null,
    resolved_date date,               -- resolved against the article's publication date
    granularity varchar               -- day | month | year
)
