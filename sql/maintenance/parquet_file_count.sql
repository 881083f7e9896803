-- Parquet files under the lake's data path, committed or not (a local folder or s3://).
select count(*) from glob($data_path || '**/*.parquet')
