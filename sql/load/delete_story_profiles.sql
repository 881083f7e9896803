-- Profiles of the stories this run added to: rewritten whole below.
delete from story_profiles
where story_id in (select story_id from read_parquet($story_profiles))
