-- The stories the run's articles are in, and how many of them its articles began (the story's first article,
-- as the stories view orders them: earliest published, then first loaded), from the run's stories only.
with run_articles as (
    select article_id, story_id
    from articles
    where run_id = $run_id
),

first_articles as (
    select story_id, arg_min(article_id, (coalesce(published_date, date '9999-12-31'), input_order)) as first_article_id
    from articles
    where story_id in (select story_id from run_articles)
    group by story_id
)

select
    count(distinct a.story_id) as stories,
    count(distinct a.story_id) filter (where f.first_article_id = a.article_id) as stories_begun
from run_articles as a
left join first_articles as f using (story_id)
