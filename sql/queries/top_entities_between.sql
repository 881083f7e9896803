-- The entities mentioned in the most articles published from $start to $end (ISO dates), all labels.
with period_mentions as (
    select m.entity_id, m.article_id
    from entity_mentions as m
    join articles as a using (article_id)
    where a.published_date between cast($start as date) and cast($end as date)
),

ranked as (
    select e.name, e.label, count(distinct p.article_id) as articles, count(*) as mentions
    from period_mentions as p
    join entities as e using (entity_id)
    group by e.name, e.label
)

select * from ranked
order by articles desc, mentions desc, name
limit 20
