-- Story terms of replaced articles, and of articles this run gives terms again.
delete from story_terms
where article_id in (select article_id from temp.replaced_articles)
    or article_id in (select article_id from read_parquet($story_terms))
