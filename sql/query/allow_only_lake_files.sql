set allowed_paths = $lake_files
