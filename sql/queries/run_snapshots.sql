-- Every run with the DuckLake snapshot its commit made: `from articles at (version => snapshot_id)` is the warehouse as that run left it.
with run_commits as (
    select json_extract_string(commit_extra_info, '$.run_id') as run_id, snapshot_id
    from ducklake_snapshots('lake')
    where author = 'newsflow' and json_extract_string(commit_extra_info, '$.run_id') is not null
),

final as (
    select runs.run_id, run_commits.snapshot_id, runs.started_at, runs.finished_at, runs.status,
        runs.articles_loaded, runs.unchanged_skips, runs.quarantined
    from runs
    left join run_commits using (run_id)
)

select * from final
order by started_at desc
