"""The `newsflow` command line as a user runs it: a real subprocess, a real warehouse."""

import json
import shutil

from tests.conftest import SEEDS, newsflow, newsflow_in_process


def test_run_then_query_on_a_fresh_warehouse(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    run = newsflow("run", "--workers", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "articles loaded" in run.stdout and "37/37 expectations passed" in run.stdout
    # Piped, the summary is 80 columns wide: a long path folds onto the next line, never cut with "…".
    assert "…" not in run.stdout and "index.html" in "".join(run.stdout.split())
    # Completed task runs are logged at DEBUG: the log shows the flows' own lines, not a line per task.
    assert "batch 1/1 done" in run.stderr
    assert [line for line in run.stderr.splitlines() if "Finished in state Completed" in line and "Task run" in line] == []
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
               "source_path": "000_2537d38693dccd6e.txt", "day": "2021-08-25",
               "q": "Taliban weapons Tajikistan"}
    # A story's id is a hash of its first article, so the sample is read from the warehouse.
    story = newsflow_in_process("query", "select min(story_id) as story from articles", "--warehouse",
                                str(seed_warehouse), "--format", "json")
    samples["story"] = json.loads(story.stdout)[0]["story"]
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


def test_a_missing_sql_file_is_one_line_naming_it(seed_warehouse):
    result = newsflow("query", "sql/queries/nope.sql", "--warehouse", str(seed_warehouse))
    assert result.returncode == 2
    assert result.stderr.startswith("newsflow: no SQL file sql/queries/nope.sql") and result.stderr.count("\n") == 1


def test_csv_lines_end_with_a_newline_only(seed_warehouse):
    result = newsflow("query", "select source_path from articles order by 1", "--warehouse", str(seed_warehouse),
                      "--format", "csv")
    assert "\r" not in result.stdout and result.stdout.endswith("004_8b3fc308f6c75f53.txt\n")


def test_query_output_writes_one_file_and_refuses_to_replace_it_unasked(seed_warehouse, tmp_path):
    import pyarrow.parquet as pq

    sql = "select source_path, published_date, word_count from articles order by 1"
    for suffix in ("parquet", "csv", "json"):
        out = tmp_path / f"articles.{suffix}"
        result = newsflow("query", sql, "--warehouse", str(seed_warehouse), "--output", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout == "" and result.stderr == f"newsflow: wrote 5 rows to {out}\n"
    table = pq.read_table(tmp_path / "articles.parquet")
    assert table.column_names == ["source_path", "published_date", "word_count"] and table.num_rows == 5
    assert str(table.schema.field("published_date").type) == "date32[day]"
    printed = newsflow("query", sql, "--warehouse", str(seed_warehouse), "--format", "json")
    assert json.loads((tmp_path / "articles.json").read_text()) == json.loads(printed.stdout)
    assert (tmp_path / "articles.csv").read_text().splitlines()[0] == "source_path,published_date,word_count"
    again = newsflow("query", sql, "--warehouse", str(seed_warehouse), "--output", str(tmp_path / "articles.csv"))
    assert again.returncode == 2 and "exists: pass --force" in again.stderr
    forced = newsflow("query", "select 1 as one", "--warehouse", str(seed_warehouse),
                      "--output", str(tmp_path / "articles.csv"), "--force")
    assert forced.returncode == 0 and (tmp_path / "articles.csv").read_text() == "one\n1\n"
    other = newsflow("query", sql, "--warehouse", str(seed_warehouse), "--output", str(tmp_path / "a.xlsx"))
    assert other.returncode == 2 and "name a .parquet, .csv or .json file" in other.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.csv", "articles.json", "articles.parquet"]


def test_a_run_on_an_empty_folder_says_so_exits_0_and_makes_no_warehouse(tmp_path):
    (tmp_path / "inbox" / "empty").mkdir(parents=True)
    result = newsflow("run", "--source", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w"))
    assert result.returncode == 0
    assert result.stdout.startswith(f"newsflow: no articles in {tmp_path / 'inbox'}: it holds no files; "
                                    "newsflow reads .htm, .html, .json, .jsonl, .md, .txt files")
    assert result.stdout.count("\n") == 1 and not (tmp_path / "w").exists()


def test_table_output_folds_long_values_never_cuts_them(seed_warehouse):
    result = newsflow("query", "select source_path, clean_text from articles order by 1 limit 1",
                      "--warehouse", str(seed_warehouse))
    assert "…" not in result.stdout
    assert "000_2537d38693dccd6e.txt" in "".join(result.stdout.replace("│", "").split())


def test_the_run_summary_counts_stories_and_names_the_files_set_aside(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "inbox")
    (tmp_path / "inbox" / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    (tmp_path / "inbox" / "blank.txt").write_text("\n")
    run = newsflow("run", "--source", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w"), "--workers", "1")
    assert run.returncode == 0, run.stderr
    lines = [" ".join(line.split()) for line in run.stdout.splitlines()]
    assert "stories 1 (1 new)" in lines   # the five seeds report one event
    named = [line for line in lines if line.startswith("quarantined file")]
    assert [line.split(":")[0] for line in named] == ["quarantined file blank.txt", "quarantined file scan.pdf"]
