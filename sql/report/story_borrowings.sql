-- What the articles of story $story borrow from other articles: share of words and paragraphs.
select a.title as article, a.source_path, f.title as borrowed_from_title, f.source_path as borrowed_from_path,
    b.borrowed_share, b.borrowed_paragraphs
from borrowings as b
join articles as a using (article_id)
join articles as f on f.article_id = b.borrowed_from
where a.story_id = $story
order by b.borrowed_share desc
limit 50
