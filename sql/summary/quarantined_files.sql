-- The first inputs the run set aside whole, by path: the summary names up to 10 (QUARANTINED_FILES_SHOWN).
select source_path, record_index, stage, reason
from quarantine
where run_id = $run_id and item is null
order by source_path, record_index nulls first
limit 10
