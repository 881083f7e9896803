create table if not exists entity_mentions (
    article_id varchar not null,
    field varchar,                    -- body | title | byline | dateline (null: body)
    start_char integer not null,      -- field_text[start_char:end_char] == text: clean_text for the body,
    end_char integer not null,        -- else the articles column of the field's name
    text varchar not null,
    label varchar not null,           -- the label after resolution: the entity's
    sentence_index integer not null,  -- 0-based sentence of its field the mention sits in
    entity_id varchar,                -- the canonical entity; null for numbers, amounts, dates and times
    model_label varchar               -- what the spaCy model said (null: a repetition the model missed)
)
