-- Articles per publication day of each story in $story_ids, from $since to $until.
select story_id, published_date as day, count(*) as articles
from articles
where list_contains(cast($story_ids as varchar[]), story_id)
    and published_date between cast($since as date) and cast($until as date)
group by story_id, published_date
order by story_id, day
