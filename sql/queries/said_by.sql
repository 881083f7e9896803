-- Everything a person (or organisation) is reported to have said, oldest first. $name is the
-- canonical name, one of the ways the articles write it, or a surname alone ("Rubio"): the
-- closest of these that names anyone wins, so "Rubio" finds Marco Rubio's quotes.
with named as (
    select entity_id, name,
           case when lower(name) = lower($name) then 1
                when list_contains(list_transform(aliases, alias -> lower(alias)), lower($name)) then 2
                when lower(name) like '% ' || lower($name) then 3
           end as closeness
    from entities
),

speakers as (
    select entity_id, name
    from named
    where closeness = (select min(closeness) from named)
),

final as (
    select a.published_date, a.source_path, s.name as speaker, q.kind, q.speaker_source, q.quote
    from quotes as q
    join speakers as s on s.entity_id = q.speaker_entity_id
    join articles as a using (article_id)
    order by a.published_date nulls last, a.source_path, q.start_char
)

select * from final
