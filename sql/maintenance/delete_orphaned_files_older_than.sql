-- Data files no snapshot refers to and older than $older_than: on a shared lake a younger one may be
-- another writer's load, written and not yet committed.
call ducklake_delete_orphaned_files('lake', older_than => $older_than)
