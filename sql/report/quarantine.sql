-- What every run set aside, by stage and reason.
select stage, coalesce(item, 'input') as item, reason, count(*) as rows_set_aside
from quarantine
group by all
order by rows_set_aside desc, stage, reason
limit 30
