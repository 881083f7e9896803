-- Which sources carried the story of an article ($source_path), in the order they published it: rank 1 was first.
with story as (
    select story_id from articles where source_path = $source_path
),

carried as (
    select a.source_path, a.byline, a.credits, a.published_date, a.title, a.duplicate_of is not null as is_copy,
        a.input_order
    from articles as a
    join story using (story_id)
),

final as (
    select
        rank() over (order by published_date nulls last) as publication_rank,
        source_path, published_date, byline, credits, title, is_copy
    from carried
)

select * from final
order by publication_rank, source_path
