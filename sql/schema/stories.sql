create view if not exists stories as
with story_articles as (
    select story_id, article_id, published_date, input_order
    from articles
),

final as (
    select
        story_id,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as article_count,
        arg_min(article_id, (coalesce(published_date, date '9999-12-31'), input_order)) as first_article_id
    from story_articles
    group by story_id
)

select * from final
