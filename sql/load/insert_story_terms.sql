insert into story_terms by name
select article_id, story_id, kind, term, weight
from read_parquet($story_terms)
