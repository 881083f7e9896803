-- Everything an entity ($name, its canonical name) is reported to have said, oldest first.
select a.published_date, a.source_path, q.kind, q.quote
from quotes as q
join entities as e on e.entity_id = q.speaker_entity_id
join articles as a using (article_id)
where e.name = $name
order by a.published_date nulls last, a.source_path, q.start_char
