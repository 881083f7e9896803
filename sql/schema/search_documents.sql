-- Full-text search: each article's length in words, for BM25's length normalisation.
create table if not exists search_documents (
    article_id varchar not null,
    terms integer not null,           -- words in its title and clean text, as search_terms splits them
    run_id varchar not null
)
