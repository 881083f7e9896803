-- Once, for a warehouse made before numbers, amounts, dates and times stopped being entities: their
-- mentions keep their rows and lose their entity, and those entities (never names) go. No story term
-- names them: stories were never told by them (tasks/stories.py STORY_LABELS).
alter table entity_mentions alter column entity_id drop not null;
update entity_mentions set entity_id = null
where label not in ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'FAC', 'EVENT', 'PRODUCT', 'WORK_OF_ART', 'LAW', 'LANGUAGE');
delete from entities
where label not in ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'FAC', 'EVENT', 'PRODUCT', 'WORK_OF_ART', 'LAW', 'LANGUAGE');
