-- How many loaded articles each of $folders holds: a folder is a site's scrape (dedup.source_folder),
-- so a paragraph most of its stories print is the site's furniture, not a borrowing.
with folders as (
    select case when contains(source_path, '/') then regexp_extract(source_path, '^(.*)/[^/]*$', 1) else '' end
        as folder
    from articles
)

select folder, count(*) as articles
from folders
where folder in (select unnest($folders::varchar[]))
group by folder
