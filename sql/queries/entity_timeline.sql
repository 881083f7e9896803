-- When an entity ($name: its canonical name, any spelling in aliases or a person's surname alone, any case) was in the news: mentions and articles per publication day.
with matches as (
    select * from entity_lookup where form = lower($name)
),

entity as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
)

select timeline.name, timeline.published_date, timeline.mentions, timeline.articles
from entity_timeline as timeline
join entity using (entity_id)
order by timeline.published_date, timeline.name
