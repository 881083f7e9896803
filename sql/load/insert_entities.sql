insert into entities by name
with mention_counts as (
    select entity_id, count(*) as mention_count, count(distinct article_id) as article_count
    from entity_mentions
    group by entity_id
),

surface_forms as (
    select entity_id, text, count(*) as uses
    from entity_mentions
    group by entity_id, text
),

aliases as (
    select entity_id, list(text order by uses desc, text) as aliases
    from surface_forms
    group by entity_id
),

seen as (
    select m.entity_id, min(a.published_date) as first_seen, max(a.published_date) as last_seen
    from entity_mentions as m
    join articles as a using (article_id)
    group by m.entity_id
),

final as (
    select names.entity_id, names.name, names.label, counts.mention_count, counts.article_count,
        aliases.aliases, seen.first_seen, seen.last_seen
    from temp.entity_names as names
    join mention_counts as counts using (entity_id)
    join aliases using (entity_id)
    left join seen using (entity_id)
)

select * from final
