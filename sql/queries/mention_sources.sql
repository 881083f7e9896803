-- Every body mention with the offsets of its text in the raw input file, through clean_text_map (which maps
-- clean_text, the body; a title, byline or dateline mention's offsets are into that articles column).
with mentions as (
    select m.article_id, m.start_char, m.end_char, m.text, m.label
    from entity_mentions as m
    where coalesce(m.field, 'body') = 'body'
),

located as (
    -- A mention may run over a wrapped line's end: its start and end are mapped through the
    -- pieces that hold its first and its last character.
    select
        a.source_path,
        mentions.text,
        mentions.label,
        mentions.start_char,
        first_piece.raw_start + (mentions.start_char - first_piece.clean_start) as raw_start_char,
        last_piece.raw_start + (mentions.end_char - last_piece.clean_start) as raw_end_char
    from mentions
    join clean_text_map as first_piece
        on first_piece.article_id = mentions.article_id
        and mentions.start_char >= first_piece.clean_start
        and mentions.start_char < first_piece.clean_start + first_piece.length
    join clean_text_map as last_piece
        on last_piece.article_id = mentions.article_id
        and mentions.end_char > last_piece.clean_start
        and mentions.end_char <= last_piece.clean_start + last_piece.length
    join articles as a on a.article_id = mentions.article_id
)

select * from located
order by source_path, start_char
