-- The loaded stories each run article may join: those whose profiles share the most of its query
-- terms ($query_articles[i], $query_kinds[i], $query_terms[i]: its best TF-IDF terms, common ones
-- left out), at most $stories_per_article each. A join on terms: never a comparison with every story.
with query as (
    select unnest($query_articles::varchar[]) as query_article, unnest($query_kinds::varchar[]) as kind,
        unnest($query_terms::varchar[]) as term
),

shared as (
    select q.query_article, p.story_id, count(*) as shared_terms
    from query as q
    join story_profiles as p using (kind, term)
    group by q.query_article, p.story_id
),

final as (
    select query_article as article_id, story_id
    from shared
    qualify row_number() over (partition by query_article order by shared_terms desc, story_id)
        <= $stories_per_article
)

select * from final
order by article_id, story_id
