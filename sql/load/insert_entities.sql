-- The touched entities' rows, from all their mentions (old and new); one with no mention left is not written.
insert into entities by name
with touched_mentions as (
    select entity_id, article_id, text
    from entity_mentions
    where entity_id in (select entity_id from temp.touched_entities)
),

mention_counts as (
    select entity_id, count(*) as mention_count, count(distinct article_id) as article_count
    from touched_mentions
    group by entity_id
),

surface_forms as (
    select entity_id, text, count(*) as uses
    from touched_mentions
    group by entity_id, text
),

aliases as (
    select entity_id, list(text order by uses desc, text) as aliases
    from surface_forms
    group by entity_id
),

seen as (
    select m.entity_id, min(a.published_date) as first_seen, max(a.published_date) as last_seen
    from touched_mentions as m
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
