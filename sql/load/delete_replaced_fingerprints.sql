delete from passage_fingerprints where article_id in (select article_id from temp.replaced_articles)
