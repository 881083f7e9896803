-- Loaded articles that may copy, be copied by or borrow from the run's articles (the stories they
-- may join are found through story_terms: sql/stories/). Each test is a join on keys: never all pairs.
with exact as (
    select article_id from articles where content_hash in (select unnest($content_hashes::varchar[]))
),

near as (
    -- A join on the band keys, one row per key: list_has_any against thousands of keys read every
    -- signature's list once per key (8 s for a batch against 20,000 articles; this takes 0.05 s).
    select article_id from (select article_id, unnest(band_keys) as band_key from minhash_signatures)
    where band_key in (select unnest($band_keys::bigint[]))
    union
    -- Signatures cut with another band layout match nothing: they come back to be re-keyed.
    select article_id from minhash_signatures where lsh_layout <> $lsh_layout
),

-- A passage in more articles than $max_articles_per_fingerprint is a stock phrase ("said in a statement",
-- an earnings table's lines), never a borrowing: it would bring most of the lake along.
telling as (
    select fingerprint from passage_fingerprints
    where fingerprint in (select unnest($fingerprints::bigint[]))
    group by fingerprint
    having count(distinct article_id) <= $max_articles_per_fingerprint
),

borrowing as (
    select article_id from passage_fingerprints
    where fingerprint in (select fingerprint from telling)
    group by article_id
    having count(*) >= $min_shared_fingerprints
),

candidates as (
    select article_id from exact
    union select article_id from near
    union select article_id from borrowing
),

final as (
    select article_id, source_path, record_index, title, content_hash, published_date, input_order, story_id,
        duplicate_of, clean_text
    from articles
    where article_id in (select article_id from candidates)
)

select * from final
