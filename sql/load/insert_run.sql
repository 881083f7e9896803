insert into runs by name
select
    $run_id as run_id, $started_at as started_at, now() as finished_at, $status as status,
    $source as source, $model as model, $files_seen as files_seen, $inputs_seen as inputs_seen,
    $articles_loaded as articles_loaded, $unchanged_skips as unchanged_skips,
    $quarantined as quarantined, $duplicates as duplicates, $mentions as mentions,
    (select count(*) from entities) as entities, $stage_seconds as stage_seconds, $message as message
