call ducklake_cleanup_old_files('lake', cleanup_all => true)
