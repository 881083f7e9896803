-- The run's articles' words for full-text search (sql/queries/search.sql splits a query the same way:
-- lower case, accents stripped, split on what is not a letter or digit). Sorted by term, so a search
-- reads only the row groups of its words.
insert into search_terms by name
with words as (
    select article_id, unnest(regexp_split_to_array(lower(strip_accents(coalesce(title, '') || ' ' || clean_text)),
                                                    '[^\pL\pN]+')) as term
    from temp.staged_articles($articles, $duplicates)
)
select article_id, term, count(*)::integer as term_count, $run_id as run_id
from words
where term <> ''
group by article_id, term
order by term
