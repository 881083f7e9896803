create table if not exists quotes (
    article_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    quote varchar not null,
    speaker varchar,
    speaker_entity_id varchar,
    kind varchar,                     -- direct (in quotation marks) | reported (X said that ...)
    speaker_source varchar            -- name | title (with a title, apposition or affiliation) | carried | pronoun
)
