"""A throwaway PostgreSQL server for tests: Debian's initdb + pg_ctl, on 127.0.0.1 and a free port.

initdb refuses to run as root, so as root the server runs as the unprivileged `postgres` user (in
a folder it owns); as anyone else it runs as that user. Trust authentication on loopback only:
the tests never put a password anywhere. `stop()` removes the server and its folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "newsflow"


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL programs (the newest installed version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (.ci/run does it)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    """One running throwaway server."""

    folder: Path
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER

    @classmethod
    def start(cls) -> "Postgres":
        folder = Path(tempfile.mkdtemp(prefix="newsflow-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        server = cls(folder, _free_port())
        binaries = postgres_bin()
        subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(folder / "data"), "-A", "trust",
                                        "-U", SUPERUSER, "--no-sync"]),
                       check=True, capture_output=True, cwd=folder)
        server._pg_ctl("start", "-w", "-t", "60", "-l", str(folder / "server.log"),
                       "-o", f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off")
        return server

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(postgres_bin() / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        return subprocess.run(_as_server_user(command), check=True, capture_output=True, cwd=self.folder)

    def stop(self, remove: bool = True) -> None:
        self._pg_ctl("stop", "-m", "fast", "-w")
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self) -> None:
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.folder / "server.log"),
                     "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off")

    def conninfo(self, dbname: str) -> str:
        """libpq's key=value form, as DuckLake's catalog string takes it (no password: trust on loopback)."""
        return f"dbname={dbname} host={self.host} port={self.port} user={self.user}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its conninfo."""
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as con:
            con.execute(f'create database "{name}"')
        return self.conninfo(name)

    def url(self, dbname: str, driver: str = "postgresql+asyncpg") -> str:
        """A SQLAlchemy URL (Prefect's PREFECT_API_DATABASE_CONNECTION_URL takes asyncpg's)."""
        return f"{driver}://{self.user}@{self.host}:{self.port}/{dbname}"
