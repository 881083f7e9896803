select article_id, paragraph_index, paragraph_words, fingerprint
from passage_fingerprints
where article_id in (select unnest($article_ids::varchar[]))
