insert into entities by name
with mention_counts as (
    select entity_id, count(*) as mention_count, count(distinct article_id) as article_count
    from entity_mentions
    group by entity_id
),

final as (
    select names.entity_id, names.name, names.label, counts.mention_count, counts.article_count
    from temp.entity_names as names
    join mention_counts as counts using (entity_id)
)

select * from final
