-- Every article of story $story, in the order they were published, with source, words and duplicates.
select a.published_date, a.title, a.source_path, a.word_count, a.duplicate_of, a.article_id
from articles as a
where a.story_id = $story
order by a.published_date nulls last, a.input_order, a.article_id
