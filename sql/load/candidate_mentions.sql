select article_id, entity_id, label, count(*) as mentions
from entity_mentions
where article_id in (select unnest($article_ids::varchar[]))
group by article_id, entity_id, label
