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

-- Each candidate's fingerprints that the batch holds too: enough to tell which candidates share a passage
-- with one of the batch's articles (dedup.candidates_to_measure), so only those have all their
-- fingerprints read; every candidate still counts as a carrier of a passage.
batch_prints as (
    select article_id, list(distinct fingerprint order by fingerprint) as batch_prints
    from passage_fingerprints
    where article_id in (select article_id from candidates)
        and fingerprint in (select unnest($fingerprints::bigint[]))
    group by article_id
),

final as (
    select a.article_id, a.source_path, a.record_index, a.title, a.content_hash, a.published_date, a.input_order,
        a.story_id, a.duplicate_of, a.clean_text,
        a.article_id in (select article_id from exact union select article_id from near) as copy_candidate,
        coalesce(p.batch_prints, []::bigint[]) as batch_prints
    from articles as a
    left join batch_prints as p using (article_id)
    where a.article_id in (select article_id from candidates)
)

select * from final
