-- The expectations that failed, over every run: how often, and how many rows they found unexpected.
select suite, expectation, column_name, on_failure, count(*) as runs_failed, sum(unexpected_count) as rows_unexpected
from quality_results
where not success
group by all
order by runs_failed desc, suite, expectation
limit 30
