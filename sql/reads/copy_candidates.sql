-- Loaded articles that may copy, be copied by or borrow from the run's articles (the stories they
-- may join are found through story_terms: sql/stories/). Each test is a join on keys: never all pairs.
with exact as (
    select article_id from articles where content_hash in (select unnest($content_hashes::varchar[]))
),

near as (
    -- Signatures cut with another band layout match nothing: they come back to be re-keyed.
    select article_id from minhash_signatures
    where list_has_any(band_keys, $band_keys::bigint[]) or lsh_layout <> $lsh_layout
),

borrowing as (
    select article_id from passage_fingerprints
    where fingerprint in (select unnest($fingerprints::bigint[]))
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
