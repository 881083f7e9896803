-- When an entity ($name, its canonical name) was in the news: mentions and articles per publication day.
select published_date, mentions, articles
from entity_timeline
where name = $name
order by published_date
