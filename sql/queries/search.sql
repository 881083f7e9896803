-- Articles matching the words of $q (any order, any of them), best first by BM25 (k1 = 1.2, b = 0.75,
-- log10 in the idf: the scores DuckDB's fts extension gives) over title and clean text, with their date,
-- story and source. The words are split as the index splits
-- them (lower case, accents stripped; sql/load/insert_search_terms.sql).
with query_words as (
    select distinct unnest(regexp_split_to_array(lower(strip_accents($q)), '[^\pL\pN]+')) as term
),

collection as (
    select count(*) as documents, avg(terms) as average_terms
    from search_documents
),

postings as (
    select t.article_id, t.term, t.term_count
    from search_terms as t
    join query_words as q using (term)
    where q.term <> ''
),

rarity as (
    select term, log(1 + (c.documents - count(*) + 0.5) / (count(*) + 0.5)) as idf
    from postings
    cross join collection as c
    group by term, c.documents
),

scored as (
    select p.article_id, count(*) as words_matched,
        sum(r.idf * p.term_count * 2.2 / (p.term_count + 1.2 * (0.25 + 0.75 * d.terms / c.average_terms))) as score
    from postings as p
    join rarity as r using (term)
    join search_documents as d using (article_id)
    cross join collection as c
    group by p.article_id
)

select round(s.score, 3) as score, s.words_matched, a.title, a.published_date, a.story_id, a.source_path,
    a.duplicate_of, a.article_id
from scored as s
join articles as a using (article_id)
order by s.score desc, a.published_date desc nulls last, a.article_id
limit 20
