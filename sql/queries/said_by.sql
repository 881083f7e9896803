-- Everything an entity ($name: its canonical name or any spelling in aliases, any case) is reported to have said, oldest first.
with entity as (
    select entity_id, name from entities
    where lower(name) = lower($name) or list_contains([lower(alias) for alias in aliases], lower($name))
)

select a.published_date, a.source_path, entity.name as speaker, q.kind, q.quote
from quotes as q
join entity on entity.entity_id = q.speaker_entity_id
join articles as a using (article_id)
order by a.published_date nulls last, a.source_path, q.start_char
