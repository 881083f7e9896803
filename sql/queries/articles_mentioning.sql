-- Every article mentioning an entity ($name: its canonical name, any spelling in aliases or a person's surname alone, any case) in any field,
-- with the field, sentence number and date.
with matches as (
    select * from entity_lookup where form = lower($name)
),

entity as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
),

mentions as (
    select m.article_id, entity.name, coalesce(m.field, 'body') as field, m.text, m.start_char, m.sentence_index
    from entity_mentions as m
    join entity using (entity_id)
),

final as (
    select a.published_date, a.source_path, a.title, mentions.name, mentions.field, mentions.text, mentions.start_char,
        mentions.sentence_index
    from mentions
    join articles as a using (article_id)
)

select * from final
order by published_date nulls last, source_path,
    case field when 'title' then 0 when 'byline' then 1 when 'dateline' then 2 else 3 end, start_char
