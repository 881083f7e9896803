-- Rows set aside from inside articles that loaded: the item, its article and the row itself.
insert into quarantine by name
select source_path, record_index, stage, reason, $run_id as run_id, input_id, item, article_id, detail
from read_parquet($set_aside)
