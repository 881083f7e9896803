insert into articles by name
select
    article_id, source_path, record_index, source_format, encoding, title, byline, dateline, credits, contact,
    clean_text, published_date, date_source, content_hash, duplicate_of,
    coalesce(story_id, article_id) as story_id, word_count, input_order, $run_id as run_id
from temp.staged_articles($articles, $duplicates)
