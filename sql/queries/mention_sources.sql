-- Every body mention with the offsets of its text in the raw input file, through clean_text_map (which maps
-- clean_text, the body; a title, byline or dateline mention's offsets are into that articles column).
with mentions as (
    select m.article_id, m.start_char, m.end_char, m.text, m.label
    from entity_mentions as m
    where coalesce(m.field, 'body') = 'body'
),

located as (
    select
        a.source_path,
        mentions.text,
        mentions.label,
        mentions.start_char,
        map.raw_start + (mentions.start_char - map.clean_start) as raw_start_char,
        map.raw_start + (mentions.end_char - map.clean_start) as raw_end_char
    from mentions
    join clean_text_map as map
        on map.article_id = mentions.article_id
        and mentions.start_char >= map.clean_start
        and mentions.end_char <= map.clean_start + map.length
    join articles as a on a.article_id = mentions.article_id
)

select * from located
order by source_path, start_char
