"""Databases of a test's own on the session's PostgreSQL server (`postgres_server`)."""

import uuid

import psycopg
from psycopg import sql

from activities.ledger_postgres import libpq_url


def fresh_database(server: str, prefix: str) -> str:
    """The URL of a new, empty database on the PostgreSQL server at `server`."""
    database = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq_url(server), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return f"{server.rsplit('/', 1)[0]}/{database}"
