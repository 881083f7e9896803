delete from publication_details where article_id in (select article_id from temp.replaced_articles)
