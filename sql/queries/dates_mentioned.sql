-- The days the articles talk about (not the days they were published), most talked-about first,
-- with how the text named them (absolute: a calendar date; relative: "yesterday"; weekday: "Tuesday").
select resolved_date, count(*) as mentions, count(distinct article_id) as articles,
       string_agg(distinct kind, ', ' order by kind) as named_as
from date_mentions
where granularity = 'day' and resolved_date is not null
group by resolved_date
order by mentions desc, resolved_date
limit 20
