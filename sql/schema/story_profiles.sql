-- One row per story and term: the story's summed article weights for its best terms (at most 300
-- words and 100 entities), rewritten by each run that adds to the story. The index later runs
-- search for the stories a new article may join (tasks/stories.py).
create table if not exists story_profiles (
    story_id varchar not null,
    kind varchar not null,            -- 'word' | 'entity'
    term varchar not null,
    weight double not null
)
