select article_id, source_path, record_index, content_hash, published_date, input_order, story_id, duplicate_of
from articles
where content_hash in (select unnest($content_hashes))
