-- Every data and delete file the DuckLake catalog lists, in every snapshot it keeps: what a query may open.
with schemas as (
    select schema_id, path, path_is_relative::boolean as is_relative
    from __ducklake_metadata_lake.ducklake_schema
),

tables as (
    select distinct table_id, schema_id, path, path_is_relative::boolean as is_relative
    from __ducklake_metadata_lake.ducklake_table
),

files as (
    select table_id, path, path_is_relative::boolean as is_relative
    from __ducklake_metadata_lake.ducklake_data_file
    union all
    select table_id, path, path_is_relative::boolean as is_relative
    from __ducklake_metadata_lake.ducklake_delete_file
),

table_folders as (
    select
        t.table_id,
        case when t.is_relative
            then (case when s.is_relative then $data_path || s.path else s.path end) || t.path
            else t.path end as folder
    from tables as t
    join schemas as s using (schema_id)
),

final as (
    select distinct case when f.is_relative then table_folders.folder || f.path else f.path end as file_path
    from files as f
    join table_folders using (table_id)
)

select file_path from final
