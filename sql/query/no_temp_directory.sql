-- A query never spills to disk: past the memory limit it fails instead of writing temp files.
set temp_directory = ''
