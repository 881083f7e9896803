-- Loaded articles that may copy, be copied by, borrow from or share a story with the run's articles,
-- and every article of the stories they belong to. Each test is a join on keys: never all pairs.
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

salient as (
    select unnest($salient_articles::varchar[]) as new_id, unnest($salient_entities::varchar[]) as entity_id,
        unnest($salient_dates::date[]) as new_date
),

same_story as (
    select m.article_id
    from entity_mentions as m
    join salient using (entity_id)
    join articles as a on a.article_id = m.article_id
    where salient.new_date is null or a.published_date is null
        or abs(date_diff('day', salient.new_date, a.published_date)) <= $window_days
    group by m.article_id, salient.new_id
    having count(distinct m.entity_id) >= $min_shared_entities
),

candidates as (
    select article_id from exact
    union select article_id from near
    union select article_id from borrowing
    union select article_id from same_story
),

final as (
    select article_id, source_path, record_index, content_hash, published_date, input_order, story_id,
        duplicate_of, clean_text
    from articles
    where article_id in (select article_id from candidates)
        or story_id in (select story_id from articles join candidates using (article_id))
)

select * from final
