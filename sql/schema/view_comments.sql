-- The views the warehouse holds, with the comment that names the version of the file that made each.
select view_name, comment
from duckdb_views()
where database_name = current_database()
