delete from search_terms where article_id in (select article_id from temp.replaced_articles)
