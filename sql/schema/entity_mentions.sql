create table if not exists entity_mentions (
    article_id varchar not null,
    start_char integer not null,      -- clean_text[start_char:end_char] == text
    end_char integer not null,
    text varchar not null,
    label varchar not null,           -- the spaCy label
    sentence_index integer not null,  -- 0-based sentence of clean_text the mention sits in
    entity_id varchar not null        -- the canonical entity
)
