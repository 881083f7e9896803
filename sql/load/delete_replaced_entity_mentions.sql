delete from entity_mentions where article_id in (select article_id from temp.replaced_articles)
