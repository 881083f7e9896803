-- Earlier copies whose duplicate links changed because this run brought an earlier copy.
update articles
set duplicate_of = links.duplicate_of, story_id = links.story_id
from read_parquet($duplicates) as links
where articles.article_id = links.article_id
    and articles.run_id <> $run_id
