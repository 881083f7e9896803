-- Pairs of articles (one of them new to the run) sharing at least $min_shared_entities of their
-- salient entities, over the table `salient` (article, entity_id, is_new). Pairs are found through
-- entities of at most $max_articles_per_entity articles: the country of every story finds none alone.
with findable as (
    select entity_id from salient
    group by entity_id
    having count(*) <= $max_articles_per_entity
),

candidates as (
    select distinct a.article as first_article, b.article as second_article
    from salient as a
    join salient as b on a.entity_id = b.entity_id and a.article < b.article
    where (a.is_new or b.is_new) and a.entity_id in (select entity_id from findable)
)

select c.first_article, c.second_article
from candidates as c
join salient as a on a.article = c.first_article
join salient as b on b.article = c.second_article and b.entity_id = a.entity_id
group by c.first_article, c.second_article
having count(*) >= $min_shared_entities
order by c.first_article, c.second_article
