-- Every article mentioning an entity ($name, its canonical name), with the sentence number and date.
with entity as (
    select entity_id from entities where name = $name
),

mentions as (
    select m.article_id, m.text, m.start_char, m.sentence_index
    from entity_mentions as m
    join entity using (entity_id)
),

final as (
    select a.published_date, a.source_path, a.title, mentions.text, mentions.start_char, mentions.sentence_index
    from mentions
    join articles as a using (article_id)
)

select * from final
order by published_date nulls last, source_path, start_char
