-- The stories the run's articles are in, and how many of them its articles began.
select
    count(distinct a.story_id) as stories,
    count(distinct a.story_id) filter (where s.first_article_id = a.article_id) as stories_begun
from articles as a
left join stories as s using (story_id)
where a.run_id = $run_id
