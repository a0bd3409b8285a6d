"""The sent-ledger's own behaviour, on each store a worker can use: a SQLite file (the embedded
default) and PostgreSQL (shared by workers on several hosts)."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from pydantic import ValidationError

from activities.channels import ChannelSettings
from activities.ledger import LedgerUnavailable, Mark, SentLedger, open_ledger
from activities.ledger_postgres import PostgresLedger, libpq_url
from activities.models import SentMessage
from domain.messages import DeliveryChannel
from harness.mailbox import free_port
from tests.support.opening import failures_opening_at_once

ROOT = Path(__file__).resolve().parents[2]
KEY = "c1/1/acknowledgement/customer/email"
RECEIPT = SentMessage(
    channel=DeliveryChannel.EMAIL,
    address="asha@example.in",
    message_id="<c1.1@complaints.example>",
    template="acknowledgement.en-IN",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """`NOTIFY_SENT_LEDGER` for a ledger of the test's own, as the worker reads it."""
    if request.param == "sqlite":
        return str(tmp_path / "sent.sqlite3")
    return request.getfixturevalue("postgres_ledger")


def opened(location: str) -> SentLedger:
    """The ledger a worker configured with `location` opens."""
    return open_ledger(ChannelSettings(sent_ledger=location).sent_ledger)


def test_the_first_claim_wins_and_a_later_one_finds_it_maybe_sent(location: str) -> None:
    ledger = opened(location)
    assert ledger.claim(KEY, RECEIPT) is None
    again = ledger.claim(KEY, RECEIPT.model_copy(update={"message_id": "<other@x>"}))
    assert again is not None and again.mark is Mark.SENDING, "may have been sent: send again"
    assert again.sent == RECEIPT, "the first claim's receipt is kept"


def test_a_message_marked_sent_is_found_sent_by_every_later_attempt(location: str) -> None:
    ledger = opened(location)
    assert ledger.find(KEY) is None
    ledger.claim(KEY, RECEIPT)
    ledger.mark_sent(KEY)
    found = ledger.find(KEY)
    assert found is not None and (found.mark, found.sent) == (Mark.SENT, RECEIPT)
    claimed = ledger.claim(KEY, RECEIPT)
    assert claimed is not None and claimed.mark is Mark.SENT
    restarted = opened(location)  # a restarted worker, or another worker on the same store
    found_again = restarted.find(KEY)
    assert found_again is not None and found_again.mark is Mark.SENT


def test_a_released_claim_is_sent_as_a_first_time_and_a_sent_one_is_never_released(
    location: str,
) -> None:
    ledger = opened(location)
    ledger.claim(KEY, RECEIPT)
    ledger.release(KEY)
    assert ledger.find(KEY) is None
    assert ledger.claim(KEY, RECEIPT) is None
    ledger.mark_sent(KEY)
    ledger.release(KEY)
    found = ledger.find(KEY)
    assert found is not None and found.mark is Mark.SENT


def test_ledgers_claiming_the_same_keys_at_once_in_threads_claim_each_once(location: str) -> None:
    keys = [f"c{number}/1/acknowledgement/customer/email" for number in range(100)]
    ledgers = [opened(location) for _ in range(4)]
    start = threading.Barrier(len(ledgers))
    won: list[list[str]] = [[] for _ in ledgers]

    def claim_all(number: int) -> None:
        start.wait()
        won[number] = [key for key in keys if ledgers[number].claim(key, RECEIPT) is None]

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in range(len(ledgers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(key for keys_won in won for key in keys_won) == sorted(keys)


CLAIMER = """
import json, random, sys, time
from activities.channels import ChannelSettings
from activities.ledger import open_ledger
from activities.models import SentMessage

ledger = open_ledger(ChannelSettings(sent_ledger=sys.argv[1]).sent_ledger)
receipt = SentMessage.model_validate_json(sys.argv[2])
keys = json.loads(sys.argv[3])
random.Random(sys.argv[4]).shuffle(keys)
print("ready", flush=True)
start = float(sys.stdin.readline())
while time.time() < start:
    pass
won = []
for key in keys:
    if ledger.claim(key, receipt) is None:
        won.append(key)
    time.sleep(0.002)  # a send between claims: a process descheduled a while still overlaps
print(json.dumps(won), flush=True)
"""
"""A worker process's claims: open the ledger, wait for the agreed instant, claim every key in an
order of its own (a shared order lets whichever starts first win every key, racing for none)."""


@pytest.mark.server
def test_two_processes_claiming_the_same_200_keys_at_once_claim_each_exactly_once(
    location: str,
) -> None:
    keys = [f"c{number}/1/assigned/grievance_desk/email" for number in range(200)]
    arguments = [location, RECEIPT.model_dump_json(), json.dumps(keys)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, *arguments, f"order {number}"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(2)
    ]
    try:
        for process in processes:  # both have opened the ledger (and created its table)
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        start = time.time() + 0.5
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(f"{start}\n")
            process.stdin.flush()
        won = [json.loads(process.communicate(timeout=60)[0]) for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
    print(f"claims won per process: {[len(keys_won) for keys_won in won]}")
    assert all(won), "both processes claimed while the other did: they ran at once"
    assert not set(won[0]) & set(won[1]), "a key claimed by both processes would be sent twice"
    assert sorted(won[0] + won[1]) == sorted(keys)


def test_worker_processes_starting_at_once_all_open_a_new_ledger_file(tmp_path: Path) -> None:
    failures = failures_opening_at_once(
        tmp_path,
        "from activities.ledger_sqlite import SqliteLedger",
        "SqliteLedger(path)",
        processes=6,
        rounds=20,
        lead=2.0,
    )
    assert not failures, f"a process could not open a new ledger: {failures}"


# --- configuration and outages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "store"),
    [
        ("postgresql://ledger@db.internal:5432/complaints", str),
        ("postgresql+psycopg://ledger@db.internal/complaints", str),
        ("/var/lib/complaints/sent-notifications.sqlite3", Path),
    ],
)
def test_notify_sent_ledger_names_a_postgresql_url_or_a_file(
    monkeypatch: pytest.MonkeyPatch, setting: str, store: type
) -> None:
    monkeypatch.setenv("NOTIFY_SENT_LEDGER", setting)
    ledger = ChannelSettings().sent_ledger
    assert isinstance(ledger, store) and str(ledger) == setting


def test_notify_sent_ledger_refuses_another_kind_of_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SENT_LEDGER", "mysql://ledger:secret@db/complaints")
    with pytest.raises(ValidationError, match=r"a file path or a PostgreSQL URL.*not mysql://…"):
        ChannelSettings()


def test_an_unreachable_postgresql_is_ledger_unavailable_without_its_password() -> None:
    url = f"postgresql://ledger:s3cret@127.0.0.1:{free_port()}/complaints"
    where = r"the sent-ledger \(PostgreSQL at 127\.0\.0\.1:\d+/complaints\) cannot be used now"
    with pytest.raises(LedgerUnavailable, match=where) as raised:
        open_ledger(url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.server
def test_a_postgresql_ledger_whose_connection_broke_reconnects_on_the_next_call(
    postgres_ledger: str,
) -> None:
    ledger = PostgresLedger(postgres_ledger)
    ledger.claim(KEY, RECEIPT)
    with psycopg.connect(libpq_url(postgres_ledger), autocommit=True) as admin:
        admin.execute(  # as a server restart or a failover would
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'complaints sent-ledger'"
        )
    with pytest.raises(LedgerUnavailable):
        ledger.mark_sent(KEY)
    ledger.mark_sent(KEY)
    found = ledger.find(KEY)
    assert found is not None and found.mark is Mark.SENT
