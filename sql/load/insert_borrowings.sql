insert into borrowings by name
select article_id, borrowed_from, borrowed_share, borrowed_paragraphs
from read_parquet($borrowings)
