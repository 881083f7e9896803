-- An article's terms name the survivor once. A term's weight is 1 + ln(mentions) (tasks/stories.py), so the
-- merged weight is 1 + ln of the summed mentions; a story's profile sums its articles' weights.
create or replace temp table merged_story_terms as
select t.article_id, t.story_id, t.kind, coalesce(merges.to_id, t.term) as term,
    1 + ln(sum(exp(t.weight - 1))) as weight
from story_terms as t
left join temp.entity_merges as merges on t.term = merges.from_id
where t.kind = 'entity'
    and (t.term in (select from_id from temp.entity_merges) or t.term in (select to_id from temp.entity_merges))
group by all;

delete from story_terms
where kind = 'entity'
    and (term in (select from_id from temp.entity_merges) or term in (select to_id from temp.entity_merges));

insert into story_terms by name select * from temp.merged_story_terms;

create or replace temp table merged_story_profiles as
select p.story_id, p.kind, coalesce(merges.to_id, p.term) as term, sum(p.weight) as weight
from story_profiles as p
left join temp.entity_merges as merges on p.term = merges.from_id
where p.kind = 'entity'
    and (p.term in (select from_id from temp.entity_merges) or p.term in (select to_id from temp.entity_merges))
group by all;

delete from story_profiles
where kind = 'entity'
    and (term in (select from_id from temp.entity_merges) or term in (select to_id from temp.entity_merges));

insert into story_profiles by name select * from temp.merged_story_profiles
