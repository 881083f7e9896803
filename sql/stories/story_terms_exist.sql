-- Whether the warehouse has story terms (a warehouse made before them has none to search).
select count(*) > 0 as story_terms_exist
from duckdb_tables()
where table_name = 'story_terms'
