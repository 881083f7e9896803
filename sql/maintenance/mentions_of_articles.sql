select *
from entity_mentions
where article_id in (select unnest($article_ids))
