"""The `newsflow` command line as a user runs it: a real subprocess, a real warehouse."""

import json
import shutil

from tests.conftest import SEEDS, newsflow, newsflow_in_process


def test_run_then_query_on_a_fresh_warehouse(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    run = newsflow("run", "--workers", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "articles loaded" in run.stdout and "37/37 expectations passed" in run.stdout
    result = newsflow("query", "select source_path, published_date from articles order by 1", cwd=tmp_path,)
    assert result.returncode == 0
    assert "000_2537d38693dccd6e.txt" in result.stdout and "2021-08-27" in result.stdout
    csv = newsflow("query", "select published_date from articles where source_path like '004%'", "--format",
                   "csv", cwd=tmp_path)
    assert csv.stdout.splitlines() == ["published_date", "2021-08-27"]


def test_query_errors_are_one_line_with_exit_code_2(seed_warehouse):
    bad = newsflow("query", "select nope from articles", "--warehouse", str(seed_warehouse))
    assert bad.returncode == 2
    assert bad.stderr.startswith("newsflow: Binder Error") and bad.stderr.count("\n") == 1


def test_query_is_read_only(seed_warehouse):
    write = newsflow("query", "delete from articles", "--warehouse", str(seed_warehouse))
    assert write.returncode == 2 and "read-only" in write.stderr
    count = newsflow("query", "select count(*) as n from articles", "--warehouse", str(seed_warehouse),
                     "--format", "json")
    assert json.loads(count.stdout) == [{"n": 5}]


def test_query_on_a_missing_warehouse_says_what_to_do(tmp_path):
    result = newsflow("query", "select 1", "--warehouse", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "run `newsflow run" in result.stderr


def test_run_on_a_missing_source_is_a_usage_error(tmp_path):
    result = newsflow("run", "--source", str(tmp_path / "none"), "--warehouse", str(tmp_path / "w"))
    assert result.returncode == 2
    assert result.stderr == f"newsflow: source {tmp_path / 'none'} does not exist: pass --source a folder or file of articles\n"


def test_every_example_query_runs(seed_warehouse):
    import re
    from pathlib import Path

    samples = {"label": "PERSON", "name": "Vladimir Putin", "start": "2021-08-01", "end": "2021-08-31",
               "source_path": "000_2537d38693dccd6e.txt", "day": "2021-08-25"}
    for path in sorted((Path(__file__).resolve().parent.parent / "sql" / "queries").glob("*.sql")):
        names = sorted(set(re.findall(r"\$(\w+)", path.read_text())))
        params = [arg for name in names for arg in ("--param", f"{name}={samples[name]}")]
        # In this process: the queries' SQL is under test here, the command's process in the tests above.
        result = newsflow_in_process("query", str(path), *params, "--warehouse", str(seed_warehouse),
                                     "--format", "json")
        assert result.returncode == 0, (path.name, result.stderr)
        rows = json.loads(result.stdout)
        # The seeds hold no exact copies and nothing to quarantine; every other query finds rows.
        assert rows or path.stem in {"duplicates", "quarantine_by_reason"}, path.name


def test_query_binds_parameters_never_formats_them(seed_warehouse):
    injected = newsflow("query", "select count(*) as n from entities where name = $name", "--param",
                        "name=x' or '1'='1", "--warehouse", str(seed_warehouse), "--format", "json")
    assert json.loads(injected.stdout) == [{"n": 0}]


def test_query_piped_into_head_ends_quietly(seed_warehouse):
    import subprocess
    import sys
    from pathlib import Path

    newsflow_bin = Path(sys.executable).parent / "newsflow"
    piped = subprocess.run(f"'{newsflow_bin}' query 'select * from entity_mentions' --format csv "
                           f"--warehouse '{seed_warehouse}' | head -1", shell=True, capture_output=True, text=True)
    assert piped.stdout.startswith("article_id,field,start_char")
    assert piped.stderr == ""
