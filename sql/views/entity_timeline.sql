-- Mentions of each entity per publication day (articles without a date are left out).
create or replace view entity_timeline as
with dated_mentions as (
    select m.entity_id, m.article_id, a.published_date
    from entity_mentions as m
    join articles as a using (article_id)
    where a.published_date is not null
),

final as (
    select d.entity_id, e.name, e.label, d.published_date, count(*) as mentions,
        count(distinct d.article_id) as articles
    from dated_mentions as d
    join entities as e using (entity_id)
    group by d.entity_id, e.name, e.label, d.published_date
)

select * from final
