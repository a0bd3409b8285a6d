"""The case journal's database for a test: a SQLite file, and Debian's PostgreSQL started in a
folder of its own (skipped, saying why, where it cannot be)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.postgres import PostgresMissing, running_postgres


@pytest.fixture
def postgres_url() -> Iterator[str]:
    try:
        server = running_postgres()
        url = server.__enter__()
    except PostgresMissing as err:
        pytest.skip(str(err))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.sqlite3'}"
        return
    yield request.getfixturevalue("postgres_url")
