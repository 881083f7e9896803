-- What was set aside, by run, stage and reason.
select run_id, stage, reason, count(*) as inputs
from quarantine
group by run_id, stage, reason
order by run_id desc, inputs desc
