-- The articles and the publication days of the stories in $story_ids, before the batch's run.
select story_id, count(*) as article_count, min(published_date) as first_date, max(published_date) as last_date
from articles
where story_id in (select unnest($story_ids::varchar[]))
    and article_id not in (select unnest($run_article_ids::varchar[]))
    and run_id is distinct from $this_run
group by story_id
order by story_id
