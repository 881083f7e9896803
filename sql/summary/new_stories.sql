-- Stories whose first article came in this run.
select s.story_id, s.first_seen, s.last_seen, s.article_count, a.title, a.source_path as first_article
from stories as s
join articles as a on a.article_id = s.first_article_id
where a.run_id = $run_id
order by s.article_count desc, s.first_seen nulls last, a.source_path
limit 25
