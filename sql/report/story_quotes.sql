-- Who said what in story $story, by publication date.
select coalesce(e.name, q.speaker) as speaker, q.quote, q.kind, a.published_date, a.source_path
from quotes as q
join articles as a using (article_id)
left join entities as e on e.entity_id = q.speaker_entity_id
where a.story_id = $story
order by a.published_date nulls last, a.input_order, q.start_char
limit 100
