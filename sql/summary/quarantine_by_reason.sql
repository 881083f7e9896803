-- Inputs set aside, and rows set aside from inside loaded articles (their item named beside the stage).
select stage || coalesce(' (' || item || ')', '') as stage, reason, count(*) as inputs
from quarantine
where run_id = $run_id
group by all
order by inputs desc, stage, reason
