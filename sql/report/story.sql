-- The story a reader asked the page to show (newsflow report --story): its row of the stories view.
select story_id, headline, first_seen, last_seen, article_count, distinct_sources, top_entities
from stories
where story_id = $story
