"""The SQL of newsflow, one statement per file: installed as the package newsflow_sql (newsflow/resources.py reads it)."""
