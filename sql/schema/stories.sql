create view if not exists stories as
with story_articles as (
    select story_id, article_id, published_date, input_order, duplicate_of
    from articles
),

entity_counts as (
    select a.story_id, e.name, count(distinct m.article_id) as articles
    from entity_mentions as m
    join story_articles as a using (article_id)
    join entities as e using (entity_id)
    where m.label in ('PERSON', 'ORG', 'GPE', 'NORP', 'EVENT', 'FAC', 'LOC')
    group by a.story_id, e.name
),

top_entities as (
    select story_id, list(name order by articles desc, name)[1:5] as top_entities
    from entity_counts
    group by story_id
),

per_story as (
    select
        story_id,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as article_count,
        count(*) filter (where duplicate_of is null) as distinct_articles,
        arg_min(article_id, (coalesce(published_date, date '9999-12-31'), input_order)) as first_article_id
    from story_articles
    group by story_id
),

final as (
    select per_story.*, coalesce(top_entities.top_entities, []) as top_entities
    from per_story
    left join top_entities using (story_id)
)

select * from final
