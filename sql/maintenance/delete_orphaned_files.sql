-- Data files no snapshot refers to: what a load killed mid-write left behind.
call ducklake_delete_orphaned_files('lake', cleanup_all => true)
