-- One row per story, as an analyst reads it: its headline (the earliest article's title), who and
-- what it is about, when and by how many articles and sources it was told, and its first article.
create or replace view stories as
with story_articles as (
    select story_id, article_id, title, clean_text, source_path, credits, published_date, input_order,
        duplicate_of
    from articles
),

entity_counts as (
    select a.story_id, e.name, count(distinct m.article_id) as articles, count(*) as mentions
    from entity_mentions as m
    join story_articles as a using (article_id)
    join entities as e using (entity_id)
    where m.label in ('PERSON', 'ORG', 'GPE', 'NORP', 'EVENT', 'FAC', 'LOC')
    group by a.story_id, e.name
),

top_entities as (
    select story_id, list(name order by articles desc, mentions desc, name)[1:5] as top_entities
    from entity_counts
    group by story_id
),

word_documents as (
    select term, count(*) as documents
    from story_terms
    where kind = 'word'
    group by term
),

story_words as (
    -- A story's keywords: its words weighed by TF-IDF over the warehouse's articles (the IDF the
    -- stories stage uses: a word of every article still counts, so a lone story has keywords).
    select t.story_id, t.term, sum(t.weight) * (ln((1 + (select count(*) from articles)) / (1 + w.documents)) + 1) as score
    from story_terms as t
    join word_documents as w using (term)
    where t.kind = 'word'
    group by t.story_id, t.term, w.documents
),

keywords as (
    select story_id, list(term order by score desc, term)[1:8] as keywords
    from story_words
    group by story_id
),

per_story as (
    select
        story_id,
        arg_min(coalesce(title, split_part(trim(clean_text), chr(10), 1)),
            (coalesce(published_date, date '9999-12-31'), input_order)) as headline,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as article_count,
        count(*) filter (where duplicate_of is null) as distinct_articles,
        count(distinct coalesce(nullif(credits, ''), source_path)) as distinct_sources,
        arg_min(article_id, (coalesce(published_date, date '9999-12-31'), input_order)) as first_article_id
    from story_articles
    group by story_id
),

final as (
    select per_story.story_id, per_story.headline, coalesce(top_entities.top_entities, []) as top_entities,
        coalesce(keywords.keywords, []) as keywords, per_story.first_seen, per_story.last_seen,
        per_story.article_count, per_story.distinct_articles, per_story.distinct_sources,
        per_story.first_article_id
    from per_story
    left join top_entities using (story_id)
    left join keywords using (story_id)
)

select * from final
