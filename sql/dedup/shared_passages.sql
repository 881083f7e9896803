-- Pairs of articles (one of them new to the run) sharing enough passage fingerprints to be worth
-- measuring, over the table `prints` (article, fingerprint, is_new). A fingerprint held by more
-- than $max_articles_per_fingerprint articles is a stock phrase ("said in a statement"), not a borrowing;
-- the loaded candidates left unmeasured (`unmeasured`: fingerprint, folder, carriers) count as holders.
with distinct_prints as (
    select distinct article, fingerprint, is_new from prints
),

unmeasured_carriers as (
    select fingerprint, sum(carriers) as carriers from unmeasured group by fingerprint
),

passages as (
    select fingerprint
    from (select fingerprint, count(*) as carriers from distinct_prints group by fingerprint) as held
    left join unmeasured_carriers as u using (fingerprint)
    where held.carriers + coalesce(u.carriers, 0) between 2 and $max_articles_per_fingerprint
),

shared as (
    select a.article as first_article, b.article as second_article
    from distinct_prints as a
    join distinct_prints as b on a.fingerprint = b.fingerprint and a.article < b.article
    where (a.is_new or b.is_new) and a.fingerprint in (select fingerprint from passages)
)

select first_article, second_article
from shared
group by first_article, second_article
having count(*) >= $min_shared_fingerprints
order by first_article, second_article
