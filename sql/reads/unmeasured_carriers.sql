-- How many of the copy candidates left unmeasured ($unmeasured_ids: they share no passage with any one of
-- the batch's articles) carry each fingerprint of the batch ($fingerprints) and of the measured candidates
-- ($article_ids), by source folder (dedup.source_folder). They still count when dedup.borrowings asks how
-- widely a passage is carried: a stock phrase, a quotation many outlets print, a site's furniture.
with wanted as (
    select unnest($fingerprints::bigint[]) as fingerprint
    union
    select fingerprint from passage_fingerprints where article_id in (select unnest($article_ids::varchar[]))
),

carriers as (
    select distinct p.article_id, p.fingerprint,
        case when contains(a.source_path, '/') then regexp_extract(a.source_path, '^(.*)/[^/]*$', 1) else '' end
            as folder
    from passage_fingerprints as p
    join articles as a using (article_id)
    where p.article_id in (select unnest($unmeasured_ids::varchar[]))
        and p.fingerprint in (select fingerprint from wanted)
)

select fingerprint, folder, count(*)::integer as carriers
from carriers
group by fingerprint, folder
order by fingerprint, folder
