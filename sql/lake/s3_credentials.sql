-- S3 credentials from the standard AWS chain (environment, ~/.aws, instance role), never from newsflow's own settings.
create or replace secret lake_s3 (type s3, provider credential_chain)
