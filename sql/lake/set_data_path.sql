-- The data path the moved catalog records: where its relative file paths now resolve.
update shared.public.ducklake_metadata set value = $data_path where key = 'data_path' and scope is null
