-- Whether the warehouse has story profiles (a warehouse made before them has none to search).
select count(*) > 0 as story_profiles_exist
from duckdb_tables()
where table_name = 'story_profiles'
