-- Whether the warehouse holds articles but no search index: made before full-text search.
select (select count(*) from articles) > 0 and (select count(*) from search_documents) = 0
