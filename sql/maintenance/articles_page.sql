-- One page of articles, for re-validation in bounded memory.
select *
from articles
order by article_id
limit $page_size offset $page_offset
