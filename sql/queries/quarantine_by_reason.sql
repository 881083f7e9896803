-- What was set aside, by run, stage and reason: whole inputs (item null), and mentions, date mentions
-- or quotes set aside from articles that loaded.
select run_id, stage, item, reason, count(*) as rows_set_aside
from quarantine
group by run_id, stage, item, reason
order by run_id desc, rows_set_aside desc
