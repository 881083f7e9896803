create table if not exists articles (
    article_id varchar not null,      -- content hash of (source_path, record_index, raw text)
    source_path varchar not null,     -- relative to --source, '/'-separated
    record_index integer,             -- position in a .json/.jsonl file; null for one-article files
    source_format varchar,            -- txt | md | json | jsonl | html
    encoding varchar,                 -- the encoding the bytes were decoded from
    title varchar,
    byline varchar,
    dateline varchar,
    credits varchar,                  -- photo credits and agency attributions, '; '-separated
    contact varchar,                  -- desk contact lines ("London Newsroom +44 ..."), '; '-separated
    clean_text varchar not null,      -- boilerplate removed; entity offsets index into it
    published_date date,              -- null when the text prints no resolvable date
    date_source varchar,              -- which rule found the date, on which line
    content_hash varchar not null,    -- hash of clean_text: equal for exact duplicates
    duplicate_of varchar,             -- article_id of the earliest copy
    story_id varchar,
    word_count integer,
    input_order bigint,               -- order the input was read in: breaks date ties
    run_id varchar not null
)
