"""newsflow/temporary_api.py: the server a run with no Prefect API starts before Prefect is imported."""

import os
import subprocess
import sys
import textwrap

import pytest

# Run in a fresh interpreter: Prefect reads its settings once, when imported, and the test session's
# own Prefect (the harness) must not decide what this process finds.
PROBE = textwrap.dedent("""
    import time
    import psutil
    from newsflow import temporary_api

    api = temporary_api.start_unless_configured()
    time.sleep(0.5)
    alive = [" ".join(p.cmdline()) for p in psutil.Process().children(recursive=True) if p.is_running()
             and p.status() != psutil.STATUS_ZOMBIE]
    print(api is None, any("uvicorn" in line for line in alive))
    if api:
        api.kill()
""")


def _probe(cwd, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | env
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_no_server_is_started_when_the_environment_names_an_api(tmp_path):
    assert _probe(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api") == "True False"


@pytest.mark.slow
def test_a_server_started_early_is_stopped_when_prefect_toml_names_an_api(tmp_path):
    (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://127.0.0.1:9/api"\n')
    assert _probe(tmp_path, PREFECT_HOME=str(tmp_path / "home")) == "True False"


@pytest.mark.slow
def test_with_no_api_configured_the_server_starts_at_once(tmp_path):
    assert _probe(tmp_path, PREFECT_HOME=str(tmp_path / "home")) == "False True"
