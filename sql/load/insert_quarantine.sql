-- Whole inputs set aside: unreadable, or failing a check of the article as a whole.
insert into quarantine by name
select source_path, record_index, stage, reason, $run_id as run_id, input_id
from read_parquet($quarantine)
