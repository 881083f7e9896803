-- Stories whose first article came in this run. The first article, first and last seen and article count
-- are the stories view's (sql/views/stories.sql), computed for the run's stories only: the view scores every
-- story's keywords, which grows with the warehouse.
with run_stories as (
    select distinct story_id
    from articles
    where run_id = $run_id
),

per_story as (
    select
        story_id,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as article_count,
        arg_min(article_id, (coalesce(published_date, date '9999-12-31'), input_order)) as first_article_id
    from articles
    where story_id in (select story_id from run_stories)
    group by story_id
)

select s.story_id, s.first_seen, s.last_seen, s.article_count, a.title, a.source_path as first_article
from per_story as s
join articles as a on a.article_id = s.first_article_id
where a.run_id = $run_id
order by s.article_count desc, s.first_seen nulls last, a.source_path
limit 25
