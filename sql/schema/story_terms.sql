-- One row per article and term: the article's weight (1 + ln count) under its story, so later runs
-- find the stories a new article may join through its terms and sum a story's profile (tasks/stories.py).
create table if not exists story_terms (
    article_id varchar not null,
    story_id varchar not null,
    kind varchar not null,            -- 'word' (content word, plural folded) | 'entity' (canonical entity_id)
    term varchar not null,
    weight double not null
)
