select stage, reason, count(*) as inputs
from quarantine
where run_id = $run_id
group by stage, reason
order by inputs desc, stage, reason
