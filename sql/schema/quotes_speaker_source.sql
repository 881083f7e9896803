-- A warehouse created before quotes had speaker_source gets the column (null for its earlier rows).
alter table quotes add column if not exists speaker_source varchar
