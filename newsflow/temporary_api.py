"""The temporary Prefect API of a run with no server: a `prefect server` process the run owns.

Prefect would start one by itself, as a plain child process. Then Ctrl-C at the terminal stopped
it with the run, which went on retrying the dead API for minutes, and a run killed with SIGKILL
left it running. This one runs in a process group of its own (Ctrl-C is for the run, which stops
it), and the kernel kills it when the run's process ends, however it ends (newsflow.children).
Started before the pipeline's imports, it boots while they load.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time

import httpx

from newsflow.children import ending_with_this_process

# uvicorn's exit code when it cannot bind: another process took the free port first.
PORT_TAKEN = 3
# What Prefect's own temporary server is started with: no UI, a server that knows it is temporary.
SERVER_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def start_unless_configured() -> "TemporaryApi | None":
    """A temporary API booting now, before Prefect is imported, unless the run has a Prefect API to use.

    The server takes longer to boot than the run's modules to load, so it starts first; importing
    Prefect's settings to ask whether it is needed took a second of CPU before it. A profile or
    prefect.toml may still name a server: asked once the settings are loaded, and the server stopped.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    api = TemporaryApi().start()
    if not needed():
        api.kill()
        return None
    return api


def needed() -> bool:
    """Whether Prefect has no API to talk to and would start a temporary one itself."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    return not settings.api.url and settings.server.ephemeral.enabled


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryApi:
    """A Prefect API server on a free loopback port, for as long as this process needs it."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> "TemporaryApi":
        """Start the server; `wait_until_ready` waits for it to answer. It stops when Python exits."""
        if self.process is None:
            # Registered before Prefect's event and log workers register theirs: atexit runs last
            # first, so they send what they hold before the server stops.
            atexit.register(self.stop)
        self.port = _free_port()
        # The server reads the user's Prefect settings (environment, profile, prefect.toml, .env) from
        # the same places as this process: same environment, home and working directory.
        environment = os.environ | SERVER_ENVIRONMENT
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=environment, process_group=0, preexec_fn=ending_with_this_process())
        return self

    def wait_until_ready(self, timeout: float) -> None:
        """Wait until the server answers, then make it this process's Prefect API."""
        from prefect.context import refresh_global_settings_context

        deadline = time.monotonic() + timeout
        # One client for every poll: httpx.get builds a client, and its TLS context, each time, which
        # cost ~40 ms of CPU a poll (10 a second) taken from the server booting and from GX loading.
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code == PORT_TAKEN:
                    self.start()
                elif code is not None:
                    raise RuntimeError(f"the temporary Prefect API exited with code {code} before it answered")
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        # Prefect read its settings when imported: refresh them, so that every thread
                        # (the events and log workers too) and every child process uses this API.
                        os.environ["PREFECT_API_URL"] = self.url
                        refresh_global_settings_context()
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the temporary Prefect API did not answer within {timeout:.0f} s "
                           "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        """Let the server shut down (5 s at most), as Prefect stops its own."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """End the server now, silently (an interrupted run must not wait for it, nor hear from it)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
