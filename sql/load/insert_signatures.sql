insert into minhash_signatures by name
select article_id, lsh_layout, minhash, band_keys
from read_parquet($signatures)
