select
    suite,
    expectation,
    column_name,
    on_failure,
    bool_and(success) as success,
    sum(element_count) as rows_checked,
    sum(unexpected_count) as rows_failed
from quality_results
where run_id = $run_id
group by suite, expectation, column_name, on_failure
order by list_position(['raw', 'clean', 'extracted', 'date_mentions', 'quotes', 'accounting'], suite), expectation, column_name
