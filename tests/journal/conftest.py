"""The case journal's database for a test: a SQLite file, and a database of its own on the
session's Debian PostgreSQL (skipped, saying why, where it cannot be started)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    return fresh_database(postgres_server, "journal")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.sqlite3'}"
        return
    yield request.getfixturevalue("postgres_url")
