"""The SQL of sql/, one statement per file: a leaf module, importable by the stages and the warehouse alike."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def read_sql(relative_path: str) -> str:
    """One statement from sql/, by its path without the .sql suffix."""
    return (SQL_DIR / f"{relative_path}.sql").read_text(encoding="utf-8")
