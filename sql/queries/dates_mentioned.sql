-- The days the articles talk about (not the days they were published), most talked-about first.
select resolved_date, count(*) as mentions, count(distinct article_id) as articles
from date_mentions
where granularity = 'day' and resolved_date is not null
group by resolved_date
order by mentions desc, resolved_date
limit 20
