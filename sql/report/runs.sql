-- The last 60 runs: articles loaded and seconds per stage.
select run_id, started_at, status, articles_loaded, quarantined, stage_seconds
from runs
order by started_at desc
limit 60
