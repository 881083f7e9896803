-- Whole inputs set aside, and rows set aside from inside articles that loaded (item, article_id, detail).
insert into quarantine by name
select source_path, record_index, stage, reason, $run_id as run_id, input_id, item, article_id, detail
from read_parquet($quarantine, union_by_name = true)
