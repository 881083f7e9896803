delete from borrowed_passages
where article_id in (select article_id from temp.replaced_articles)
    or borrowed_from in (select article_id from temp.replaced_articles)
