call ducklake_expire_snapshots('lake', older_than => now() - to_days(cast($keep_days as integer)))
