-- Winnowed word-shingle fingerprints per paragraph: what paragraph-level borrowing is measured with.
create table if not exists passage_fingerprints (
    article_id varchar not null,
    paragraph_index integer not null, -- 0-based paragraph of clean_text (split on line breaks)
    paragraph_words integer not null,
    fingerprint bigint not null
)
