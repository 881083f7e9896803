-- Every run: when, what it saw, what it loaded, how long each stage took.
select run_id, started_at, finished_at, status, files_seen, articles_loaded, unchanged_skips, quarantined,
    duplicates, mentions, entities, stage_seconds
from runs
order by started_at desc
