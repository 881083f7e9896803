-- Runs committed since a moment: did an interrupted `newsflow run` commit before the interrupt?
select count(*) as runs
from runs
where status = 'completed'
  and started_at >= $since
