-- How widely the paired articles' passage fingerprints are carried, over the tables `prints` (article,
-- folder, fingerprint, ...), `unmeasured` (fingerprint, folder, carriers: loaded candidates outside
-- `prints`) and `paired` (article): by how many articles of the pool, and by how many of the article's
-- own folder (a site's scrape), so a paragraph printed under every story of a site, or a quotation many
-- outlets carry, can be told from a passage lifted from one article.
with distinct_prints as (
    select distinct article, folder, fingerprint from prints
),

carried_in_folder as (
    select fingerprint, folder, sum(carriers) as folder_carriers
    from (
        select fingerprint, folder, count(*) as carriers from distinct_prints group by fingerprint, folder
        union all
        select fingerprint, folder, carriers from unmeasured
    )
    group by fingerprint, folder
),

carried as (
    select fingerprint, sum(folder_carriers) as carriers from carried_in_folder group by fingerprint
)

select d.article, d.fingerprint, c.carriers, f.folder_carriers
from distinct_prints as d
join carried as c using (fingerprint)
join carried_in_folder as f using (fingerprint, folder)
where d.article in (select article from paired)
