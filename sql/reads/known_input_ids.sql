select article_id as input_id from articles
union
select input_id from quarantine where input_id is not null
