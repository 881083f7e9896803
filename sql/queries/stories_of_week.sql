-- The stories with articles in the week (Monday to Sunday) holding $day, biggest first, with their first article.
with week as (
    select date_trunc('week', $day::date)::date as first_day
),

final as (
    select s.story_id, s.first_seen, s.last_seen, s.article_count, s.distinct_articles, s.top_entities,
        a.source_path as first_source_path, a.title as first_title
    from stories as s
    cross join week
    join articles as a on a.article_id = s.first_article_id
    where s.last_seen >= week.first_day and s.first_seen < week.first_day + 7
)

select * from final
order by article_count desc, first_seen, story_id
