-- When an entity ($name: its canonical name or any spelling in aliases, any case) was in the news: mentions and articles per publication day.
with entity as (
    select entity_id, name from entities
    where lower(name) = lower($name) or list_contains([lower(alias) for alias in aliases], lower($name))
)

select timeline.name, timeline.published_date, timeline.mentions, timeline.articles
from entity_timeline as timeline
join entity using (entity_id)
order by timeline.published_date, timeline.name
