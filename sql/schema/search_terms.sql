-- Full-text search: each article's words (title and clean text) and how often it uses each, for BM25
-- ranking (sql/queries/search.sql). Written by each run for its own articles (sql/load/insert_search_terms.sql),
-- so the index grows with the run, never rebuilt. DuckDB's fts extension cannot build its index inside a
-- DuckLake catalog; this is the same ranking over plain tables.
create table if not exists search_terms (
    article_id varchar not null,
    term varchar not null,            -- lower case, accents stripped, split on what is not a letter or digit
    term_count integer not null,      -- uses in the article's title and clean text
    run_id varchar not null
)
