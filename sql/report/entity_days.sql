-- The $limit people, organisations and places (each) mentioned in the most articles published from $since
-- to $until, and their mentions per publication day.
with period_mentions as (
    select m.entity_id, m.article_id, a.published_date
    from entity_mentions as m
    join articles as a using (article_id)
    where a.published_date between cast($since as date) and cast($until as date)
),

ranked as (
    select e.entity_id, e.name, e.label, count(distinct p.article_id) as articles,
        row_number() over (partition by e.label order by count(distinct p.article_id) desc, count(*) desc, e.name)
            as rank_in_label
    from period_mentions as p
    join entities as e using (entity_id)
    where e.label in ('PERSON', 'ORG', 'GPE')
    group by e.entity_id, e.name, e.label
)

select r.name, r.label, r.articles, p.published_date as day, count(*) as mentions
from ranked as r
join period_mentions as p using (entity_id)
where r.rank_in_label <= cast($limit as integer)
group by r.name, r.label, r.articles, p.published_date
order by r.label, r.articles desc, r.name, day
