insert into passage_fingerprints by name
select article_id, paragraph_index, paragraph_words, fingerprint
from read_parquet($fingerprints)
