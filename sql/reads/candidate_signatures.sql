select article_id, lsh_layout, minhash
from minhash_signatures
where article_id in (select unnest($article_ids::varchar[]))
