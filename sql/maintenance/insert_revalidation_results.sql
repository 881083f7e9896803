insert into quality_results by name
select $run_id as run_id, suite, expectation, column_name, on_failure, success, element_count, unexpected_count
from revalidation_results
