-- One row per article: its MinHash and LSH band keys, so later runs find its near-copies (tasks/dedup.py).
create table if not exists minhash_signatures (
    article_id varchar not null,
    lsh_layout varchar not null,      -- shingle size, permutations, bands x rows the keys were cut with
    minhash uinteger[] not null,      -- datasketch MinHash hash values (affine32 scheme, seed 1)
    band_keys bigint[] not null       -- one key per LSH band: a shared key makes a candidate pair
)
