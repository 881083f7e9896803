"""The files newsflow ships beside its code: the SQL of sql/ and the suites of expectations/.

The repo keeps them as top-level folders; pyproject.toml installs them as the packages
newsflow_sql and newsflow_expectations, so they are read through importlib.resources wherever
newsflow is installed: a path relative to a module's __file__ holds only in a source checkout.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

SQL_PACKAGE = "newsflow_sql"
EXPECTATIONS_PACKAGE = "newsflow_expectations"


def read_sql(relative_path: str) -> str:
    """One statement from sql/, by its '/'-separated path without the .sql suffix."""
    resource = files(SQL_PACKAGE)
    # One name per step: a Traversable need not resolve "load/x.sql" in one join.
    for name in f"{relative_path}.sql".split("/"):
        resource = resource / name
    return resource.read_text(encoding="utf-8")


def expectations_dir() -> Traversable:
    """The folder of the Great Expectations suites, one <suite>.json each."""
    return files(EXPECTATIONS_PACKAGE)
