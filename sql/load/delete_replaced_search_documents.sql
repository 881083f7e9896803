delete from search_documents where article_id in (select article_id from temp.replaced_articles)
