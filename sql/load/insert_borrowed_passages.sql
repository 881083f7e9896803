insert into borrowed_passages by name
select article_id, start_char, end_char, borrowed_from, source_start_char, source_end_char
from read_parquet($borrowed_passages)
