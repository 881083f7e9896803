"""The Great Expectations suites, one per stage boundary: installed as the package newsflow_expectations (newsflow/resources.py reads them)."""
