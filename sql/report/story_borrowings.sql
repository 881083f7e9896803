-- What the articles of story $story borrow from other articles: share of words, paragraphs, and the lifted
-- text (its passages, ' [...] ' between them).
with lifted as (
    select p.article_id, p.borrowed_from,
        string_agg(substr(a.clean_text, p.start_char + 1, p.end_char - p.start_char), ' [...] '
                   order by p.start_char) as lifted_text
    from borrowed_passages as p
    join articles as a using (article_id)
    group by p.article_id, p.borrowed_from
)

select a.title as article, a.source_path, f.title as borrowed_from_title, f.source_path as borrowed_from_path,
    b.borrowed_share, b.borrowed_paragraphs, l.lifted_text
from borrowings as b
join articles as a using (article_id)
join articles as f on f.article_id = b.borrowed_from
left join lifted as l on l.article_id = b.article_id and l.borrowed_from = b.borrowed_from
where a.story_id = $story
order by b.borrowed_share desc
limit 50
