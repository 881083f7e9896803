-- The passages of borrowings: consecutive paragraphs of article_id's clean_text lifted from
-- borrowed_from, and where they stand in borrowed_from's clean_text (end offsets exclusive), so a
-- reader sees the lifted text: substr(clean_text, start_char + 1, end_char - start_char).
create table if not exists borrowed_passages (
    article_id varchar not null,      -- the later article (published_date, then input order)
    start_char integer not null,
    end_char integer not null,
    borrowed_from varchar not null,   -- the earlier article
    source_start_char integer not null,
    source_end_char integer not null
)
