delete from removed_spans where article_id in (select article_id from temp.replaced_articles)
