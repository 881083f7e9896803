-- Once, for a warehouse made before full-text search: every article's words, as a run writes them
-- (sql/load/insert_search_terms.sql: the same splitting).
insert into search_terms by name
with words as (
    select article_id, unnest(regexp_split_to_array(lower(strip_accents(coalesce(title, '') || ' ' || clean_text)),
                                                    '[^\pL\pN]+')) as term
    from articles
)
select article_id, term, count(*)::integer as term_count, 'search-index' as run_id
from words
where term <> ''
group by article_id, term
order by term;
insert into search_documents by name
select article_id, sum(term_count)::integer as terms, 'search-index' as run_id
from search_terms
group by article_id;
