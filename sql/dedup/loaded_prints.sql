-- The loaded articles' fingerprints as PRINTS_SCHEMA rows (one per article, in article_id order),
-- from the tables `signatures` (article_id, minhash) and `fingerprints` (FINGERPRINT_SCHEMA) as
-- Warehouse.dedup_candidates reads them: each paragraph's fingerprints distinct and sorted,
-- paragraphs in their order. Grouped here, not row by row in Python: a batch's candidates
-- can hold close to a million fingerprint rows.
with paragraphs as (
    select article_id, paragraph_index, any_value(paragraph_words) as paragraph_words,
           list_sort(list_distinct(list(fingerprint))) as paragraph_prints
    from fingerprints
    group by article_id, paragraph_index
),

-- A short paragraph may own no fingerprint, so it has no row: it comes back empty (its words unknown)
-- so that list positions stay paragraph indexes, as lifted passages' offsets need (dedup.paragraph_spans).
numbered as (
    select article_id, unnest(range(last_paragraph + 1)) as paragraph_index
    from (select article_id, max(paragraph_index) as last_paragraph from fingerprints group by article_id)
),

filled as (
    select n.article_id, n.paragraph_index, coalesce(p.paragraph_words, 0) as paragraph_words,
           coalesce(p.paragraph_prints, []::bigint[]) as paragraph_prints
    from numbered as n
    left join paragraphs as p using (article_id, paragraph_index)
),

articles as (
    select article_id,
           list(paragraph_words order by paragraph_index) as paragraph_words,
           list(paragraph_prints order by paragraph_index) as paragraph_prints
    from filled
    group by article_id
)

select s.article_id, s.minhash,
       coalesce(a.paragraph_words, []) as paragraph_words,
       coalesce(a.paragraph_prints, []) as paragraph_prints
from signatures as s
left join articles as a using (article_id)
order by s.article_id
