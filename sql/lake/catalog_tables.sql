-- DuckLake's metadata tables in the embedded catalog, each of which the PostgreSQL catalog has too.
select e.name
from (select table_name as name from duckdb_tables() where database_name = 'embedded') as e
join (select table_name as name from duckdb_tables() where database_name = 'shared' and schema_name = 'public') as s
    using (name)
where e.name like 'ducklake_%'
order by e.name
