-- Whether the warehouse predates numbers without entities: its entity_mentions.entity_id is not null.
select count(*) > 0
from duckdb_columns()
where database_name = current_database() and table_name = 'entity_mentions' and column_name = 'entity_id'
    and not is_nullable
