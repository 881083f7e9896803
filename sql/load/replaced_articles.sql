-- Articles this run supersedes: the same input read again (changed) or recomputed (--full-refresh).
create or replace temp table replaced_articles as
select loaded.article_id
from articles as loaded
join temp.staged_articles($articles, $duplicates) as staged
    on loaded.article_id = staged.article_id
    or (loaded.source_path = staged.source_path
        and coalesce(loaded.record_index, -1) = coalesce(staged.record_index, -1))
