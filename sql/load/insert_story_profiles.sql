insert into story_profiles by name
select story_id, kind, term, weight
from read_parquet($story_profiles)
