-- Every copy of one article ($source_path) and every article borrowing its paragraphs, or that it borrows from,
-- with the lifted text (the borrower's passages, ' [...] ' between them).
with the_article as (
    select article_id, coalesce(duplicate_of, article_id) as original_id
    from articles
    where source_path = $source_path
),

lifted as (
    select p.article_id, p.borrowed_from,
        string_agg(substr(a.clean_text, p.start_char + 1, p.end_char - p.start_char), ' [...] '
                   order by p.start_char) as lifted_text
    from borrowed_passages as p
    join articles as a using (article_id)
    group by p.article_id, p.borrowed_from
),

copies as (
    select a.article_id, 'copy' as relation, null::double as borrowed_share, null::varchar as lifted_text
    from articles as a
    join the_article as t on coalesce(a.duplicate_of, a.article_id) = t.original_id
    where a.article_id <> t.article_id
),

borrowers as (
    select b.article_id, 'borrows from it' as relation, b.borrowed_share, l.lifted_text
    from borrowings as b
    join the_article as t on b.borrowed_from = t.article_id
    left join lifted as l on l.article_id = b.article_id and l.borrowed_from = b.borrowed_from
),

lenders as (
    select b.borrowed_from as article_id, 'it borrows from' as relation, b.borrowed_share, l.lifted_text
    from borrowings as b
    join the_article as t using (article_id)
    left join lifted as l on l.article_id = b.article_id and l.borrowed_from = b.borrowed_from
),

related as (
    select * from copies
    union all select * from borrowers
    union all select * from lenders
),

final as (
    select related.relation, a.source_path, a.published_date, a.title, related.borrowed_share,
        a.article_id = t.original_id as is_original, related.lifted_text
    from related
    join articles as a using (article_id)
    cross join the_article as t
)

select * from final
order by relation, published_date nulls last, source_path
