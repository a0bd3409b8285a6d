"""A throwaway PostgreSQL server (Debian's `postgresql`, installed by `make postgres`) in a
folder of its own, on a free loopback port: the case journal's production database in tests."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.mailbox import free_port

SERVICE_USER = "postgres"
"""PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` user."""


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries here (`make postgres` installs them)."""


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresMissing("PostgreSQL is not installed: `make postgres` installs Debian's")


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVICE_USER, "--", *command]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server, yield its SQLAlchemy URL (`postgresql+psycopg://…`), stop and delete it."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="journal-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, SERVICE_USER)
    port = free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "journal", "--auth=trust"]
        subprocess.run(_as_server_user(initdb), **run)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start"]
        subprocess.run(_as_server_user([*start, "-l", str(folder / "log")]), **run)
        try:
            yield f"postgresql+psycopg://journal@127.0.0.1:{port}/postgres"
        finally:
            stop = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
            subprocess.run(_as_server_user(stop), **run)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
