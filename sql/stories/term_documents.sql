-- How many loaded articles hold each of the run's terms ($kinds[i], $terms[i]): the IDF's evidence.
-- Rows of the batch's own articles (a re-run) and of its run's are left out: the run counts them itself.
with wanted as (
    select unnest($kinds::varchar[]) as kind, unnest($terms::varchar[]) as term
),

final as (
    select t.kind, t.term, count(*) as documents
    from story_terms as t
    join wanted using (kind, term)
    where t.article_id not in (select unnest($run_article_ids::varchar[]))
        and t.article_id not in (select article_id from articles where run_id = $this_run)
    group by t.kind, t.term
)

select * from final
