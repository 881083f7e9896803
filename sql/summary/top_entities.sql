-- The entities mentioned in the most of one run's articles.
with run_mentions as (
    select m.entity_id, m.article_id
    from entity_mentions as m
    join articles as a using (article_id)
    where a.run_id = $run_id
),

counted as (
    select entity_id, count(distinct article_id) as articles, count(*) as mentions
    from run_mentions
    group by entity_id
)

select e.name, e.label, counted.articles, counted.mentions
from counted
join entities as e using (entity_id)
order by counted.articles desc, counted.mentions desc, e.name
limit 15
