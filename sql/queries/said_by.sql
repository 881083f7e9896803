-- Everything a person (or organisation) is reported to have said, oldest first. $name is the
-- canonical name, one of the ways the articles write it, or a surname alone ("Rubio"): the
-- closest of these that names anyone wins, so "Rubio" finds Marco Rubio's quotes.
with matches as (
    select * from entity_lookup where form = lower($name)
),

speakers as (
    select distinct entity_id, name from matches
    where closeness = (select min(closeness) from matches)
),

final as (
    select a.published_date, a.source_path, s.name as speaker, q.kind, q.speaker_source, q.quote
    from quotes as q
    join speakers as s on s.entity_id = q.speaker_entity_id
    join articles as a using (article_id)
    order by a.published_date nulls last, a.source_path, q.start_char
)

select * from final
