create table if not exists entities (
    entity_id varchar not null,
    name varchar not null,            -- canonical name
    label varchar not null,
    mention_count bigint not null,
    article_count bigint not null,
    aliases varchar[],                -- every distinct way the articles write it, most used first
    first_seen date,                  -- earliest publication date of an article mentioning it
    last_seen date
)
