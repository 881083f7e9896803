"""A non-editable install, as a user makes one: the wheel, installed into a fresh venv, runs the seeds
from a folder that is not the repo, and writes nothing into its own install."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT, SEEDS

pytestmark = pytest.mark.slow

# The wheel is built from a copy of the source: an in-tree build would leave build/ and egg-info in
# the checkout, and a stale build/lib could ship files the repo no longer has.
NOT_PACKAGED = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist", "warehouse", "bench",
                                      "tests", "seeds", "e2e-results")
SUBPROCESS_TIMEOUT = 600
# The repo's folders of files that ship beside the code: folder, installed package, files.
SHIPPED = (("sql", "newsflow_sql", "**/*.sql"), ("expectations", "newsflow_expectations", "*.json"))


def _run(*command, **options) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT, **options)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """newsflow's wheel, built offline with the setuptools of the test's own environment."""
    root = tmp_path_factory.mktemp("wheel")
    shutil.copytree(PROJECT, root / "source", ignore=NOT_PACKAGED)
    built = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                 "--no-build-isolation", "--no-index", "--wheel-dir", root / "dist", root / "source")
    assert built.returncode == 0, built.stderr
    [wheel] = (root / "dist").glob("newsflow-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; its third-party packages are the ones this test runs with."""
    venv = tmp_path_factory.mktemp("install") / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--no-index", "--no-compile", wheel)
    assert done.returncode == 0, done.stderr
    # A second full install of the pinned set would take minutes: a .pth lends the deps instead. Its
    # folders are not site dirs, so the editable install's own .pth there (the checkout) is not read.
    dependencies = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (_site_packages(venv) / "newsflow_dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    return venv


def _site_packages(venv: Path) -> Path:
    found = _run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    return Path(found.stdout.strip())


def _environment() -> dict[str, str]:
    # Nothing may reach the checkout, and nothing may be written into the install (no bytecode either).
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return environment | {"PYTHONDONTWRITEBYTECODE": "1"}


def _files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_the_wheel_carries_every_sql_file_and_suite(wheel):
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    for folder, package, pattern in SHIPPED:
        in_repo = {f"{package}/{path.relative_to(PROJECT / folder).as_posix()}"
                   for path in (PROJECT / folder).glob(pattern)}
        assert in_repo and in_repo <= in_wheel, sorted(in_repo - in_wheel)


def test_the_installed_wheel_runs_the_seeds_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, elsewhere / "articles")
    packages = "newsflow, tasks, flows"   # the code under test is the wheel's, not the checkout's
    where = _run(installed / "bin" / "python", "-c", f"import json, {packages}; print(json.dumps([m.__file__ for m in"
                 f" ({packages})]))", cwd=elsewhere, env=_environment())
    assert where.returncode == 0, where.stderr
    site = _site_packages(installed)
    assert all(Path(path).is_relative_to(site) for path in json.loads(where.stdout)), where.stdout

    install_before = _files_under(installed)
    newsflow = installed / "bin" / "newsflow"
    run = _run(newsflow, "run", "--source", "articles", "--warehouse", "wh", "--workers", "1", cwd=elsewhere,
               env=_environment())
    assert run.returncode == 0, run.stderr[-3000:]
    counts = _run(newsflow, "query", "select (select count(*) from articles) as articles, "
                  "(select count(*) from entity_mentions) as mentions", "--warehouse", "wh", "--format", "json",
                  cwd=elsewhere, env=_environment())
    assert counts.returncode == 0, counts.stderr
    [row] = json.loads(counts.stdout)
    assert row["articles"] == 5 and row["mentions"] > 0
    assert sorted(path.name for path in elsewhere.iterdir()) == ["articles", "wh"]
    assert _files_under(installed) == install_before
