-- An article made partly of an earlier article's paragraphs, and the share of its words they make.
create table if not exists borrowings (
    article_id varchar not null,      -- the later article (published_date, then input order)
    borrowed_from varchar not null,   -- the earlier article
    borrowed_share double not null,   -- share of article_id's words in paragraphs found in borrowed_from
    borrowed_paragraphs integer not null
)
