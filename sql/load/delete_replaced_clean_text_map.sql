delete from clean_text_map where article_id in (select article_id from temp.replaced_articles)
