-- The largest stories with articles published from $since to $until (and, where $undated, with articles
-- of no known date): headline, first seen, articles, sources.
with in_period as (
    select story_id, count(*) as articles_in_period
    from articles
    where published_date between cast($since as date) and cast($until as date)
        or (published_date is null and cast($undated as boolean))
    group by story_id
)

select s.story_id, s.headline, s.first_seen, s.last_seen, s.article_count, s.distinct_sources, s.top_entities,
    p.articles_in_period
from stories as s
join in_period as p using (story_id)
order by p.articles_in_period desc, s.article_count desc, s.first_seen, s.story_id
limit cast($limit as integer)
