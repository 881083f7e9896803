-- The largest stories with articles published from $since to $until (and, where $undated, with articles
-- of no known date): headline, first seen, articles, sources, as the stories view (sql/views/stories.sql)
-- gives them. Computed here for the largest stories only: the view scores every story's keywords and
-- counts every story's entities, which grows with the warehouse (0.8 s of each run at 20,000 articles).
with in_period as (
    select story_id, count(*) as articles_in_period
    from articles
    where published_date between cast($since as date) and cast($until as date)
        or (published_date is null and cast($undated as boolean))
    group by story_id
),

per_story as (
    select
        story_id,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as article_count,
        count(distinct coalesce(nullif(credits, ''), source_path)) as distinct_sources
    from articles
    where story_id in (select story_id from in_period)
    group by story_id
),

largest as (
    select per_story.*, in_period.articles_in_period
    from per_story
    join in_period using (story_id)
    order by in_period.articles_in_period desc, per_story.article_count desc, per_story.first_seen,
        per_story.story_id
    limit cast($limit as integer)
),

headlines as (
    select
        story_id,
        arg_min(coalesce(title, split_part(trim(clean_text), chr(10), 1)),
            (coalesce(published_date, date '9999-12-31'), input_order)) as headline
    from articles
    where story_id in (select story_id from largest)
    group by story_id
),

entity_counts as (
    select a.story_id, e.name, count(distinct m.article_id) as articles, count(*) as mentions
    from entity_mentions as m
    join articles as a using (article_id)
    join entities as e using (entity_id)
    where a.story_id in (select story_id from largest)
        and m.label in ('PERSON', 'ORG', 'GPE', 'NORP', 'EVENT', 'FAC', 'LOC')
    group by a.story_id, e.name
),

top_entities as (
    select story_id, list(name order by articles desc, mentions desc, name)[1:5] as top_entities
    from entity_counts
    group by story_id
)

select l.story_id, h.headline, l.first_seen, l.last_seen, l.article_count, l.distinct_sources,
    coalesce(t.top_entities, []) as top_entities, l.articles_in_period
from largest as l
join headlines as h using (story_id)
left join top_entities as t using (story_id)
order by l.articles_in_period desc, l.article_count desc, l.first_seen, l.story_id
