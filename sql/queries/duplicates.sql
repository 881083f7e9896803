-- Articles that copy an earlier one, beside the copy they point at.
select copy.source_path, copy.published_date, original.source_path as original_path,
    original.published_date as original_date
from articles as copy
join articles as original on copy.duplicate_of = original.article_id
order by original.source_path, copy.source_path
