"""Faults while delivering: internationalised addresses, the SMS-by-email gateway that `make run`
configures, bugs that must not retry for ever, and the sent-ledger's claims."""

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from activities.ledger import Mark
from activities.ledger_postgres import PostgresLedger, libpq_url
from activities.ledger_sqlite import SqliteLedger
from activities.models import Delivery
from activities.notifications import UNEXPECTED_ATTEMPTS, NotificationActivities
from domain.history import StepKind
from domain.policy_files import load_templates
from domain.templates import RenderedMessage
from harness.mailbox import Mailbox, free_port
from harness.samples import CUSTOMER_EMAIL, POLICY_DIR, sample_delivery, sample_intake
from harness.waiting import eventually
from tests.support.workflows import StartComplaint, view_when
from worker import build_worker

PHONE = "+919812345678"
SMS_BY_EMAIL = "mailto:{phone}@sms.localhost"
"""The gateway `make run` configures (texts show up in MailDev as emails)."""


@pytest.fixture
def utf8_mailbox() -> Iterator[Mailbox]:
    """An SMTP server that offers SMTPUTF8."""
    box = Mailbox(port=free_port(), smtputf8=True)
    box.start()
    yield box
    box.stop()


def activities(mailbox: Mailbox, ledger: Path) -> NotificationActivities:
    return NotificationActivities(
        SmtpSettings(port=mailbox.port, timeout_seconds=5),
        ChannelSettings(sms_gateway=SMS_BY_EMAIL, sent_ledger=ledger),
        load_templates(POLICY_DIR),
    )


def to(address: str) -> Delivery:
    return sample_delivery().model_copy(update={"address": address})


# --- internationalised addresses -----------------------------------------------------------


async def test_an_internationalised_address_goes_out_with_smtputf8_when_the_server_offers_it(
    utf8_mailbox: Mailbox, tmp_path: Path
) -> None:
    send = activities(utf8_mailbox, tmp_path / "sent.sqlite3").send_notification
    sent = await ActivityEnvironment().run(send, to("zoë@example.in"))
    assert sent.address == "zoë@example.in"
    [received] = utf8_mailbox.received
    assert received.recipients == ["zoë@example.in"]
    assert "zoë@example.in" in str(utf8_mailbox.messages[0]["To"])


async def test_a_non_ascii_domain_goes_out_in_idna_even_without_smtputf8(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    send = activities(mailbox, tmp_path / "sent.sqlite3").send_notification
    await ActivityEnvironment().run(send, to("u@exämple.in"))
    [received] = mailbox.received
    assert received.recipients == ["u@xn--exmple-cua.in"]
    assert received.raw.isascii()


async def test_a_non_ascii_mailbox_without_smtputf8_fails_for_good_at_once(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    send = activities(mailbox, tmp_path / "sent.sqlite3").send_notification
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(send, to("zoë@example.in"))
    assert (raised.value.type, raised.value.non_retryable) == ("NoSmtpUtf8", True)
    assert "zoë@example.in" in raised.value.message
    assert mailbox.received == []


async def test_a_domain_that_is_no_name_fails_for_good(mailbox: Mailbox, tmp_path: Path) -> None:
    send = activities(mailbox, tmp_path / "sent.sqlite3").send_notification
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(send, to("u@ex\u0301\u200d.in"))
    assert (raised.value.type, raised.value.non_retryable) == ("NotAnAddress", True)


@pytest.fixture
async def gateway_worker(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
    sent_ledger: Path,
) -> AsyncIterator[Worker]:
    """A worker configured as `make run` configures it: SQLite ledger, texts by email."""
    from tests.conftest import close_workflows

    smtp = SmtpSettings(port=mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=SMS_BY_EMAIL, sent_ledger=sent_ledger)
    async with build_worker(env.client, smtp, task_queue, channels) as running:
        yield running
        await close_workflows(env, opened_workflows)


async def test_a_customer_without_email_gets_the_acknowledgement_through_the_sms_gateway(
    gateway_worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint, sent_ledger: Path
) -> None:
    handle = await start_complaint(sample_intake(email=None))
    await eventually(lambda: mailbox.to(f"{PHONE}@sms.localhost"))
    [text] = mailbox.to(f"{PHONE}@sms.localhost")
    [received] = [r for r in mailbox.received if r.recipients == [f"{PHONE}@sms.localhost"]]
    assert text.get_content().startswith("Customer Care: we received your complaint")
    assert str(text["X-Idempotency-Key"]).endswith("/acknowledgement/customer/sms")
    view = await view_when(
        handle, lambda v: len([s for s in v.history if s.kind is StepKind.NOTIFIED]) == 2
    )
    assert any(
        (s.text or "").startswith(f"sms to Asha Verma <{PHONE}>")
        for s in view.history
        if s.kind is StepKind.NOTIFIED
    )
    assert received.sender
    with sqlite3.connect(sent_ledger) as ledger:  # the production ledger, on file
        states = dict(ledger.execute("SELECT key, state FROM sent").fetchall())
    assert sorted(states.values()) == ["sent", "sent"]


async def test_an_address_the_server_cannot_take_is_recorded_and_texted_instead(
    gateway_worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(sample_intake(email="zoë@example.in"))
    view = await view_when(
        handle, lambda v: len([s for s in v.history if s.kind is StepKind.NOTIFIED]) == 2
    )
    [failure] = [s.text or "" for s in view.history if s.kind is StepKind.NOTIFICATION_FAILED]
    assert failure.startswith("email: the mail server at 127.0.0.1 does not take")
    assert "zoë@example.in" in failure
    assert mailbox.to(f"{PHONE}@sms.localhost"), "the fallback: a text through the gateway"
    assert not [s for s in view.history if s.kind is StepKind.UNDELIVERED]


async def test_an_internationalised_address_is_acknowledged_end_to_end(
    env: WorkflowEnvironment,
    utf8_mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
    sent_ledger: Path,
    start_complaint: StartComplaint,
) -> None:
    from tests.conftest import close_workflows

    smtp = SmtpSettings(port=utf8_mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=SMS_BY_EMAIL, sent_ledger=sent_ledger)
    async with build_worker(env.client, smtp, task_queue, channels):
        handle = await start_complaint(sample_intake(email="zoë@exämple.in"))
        view = await view_when(
            handle, lambda v: len([s for s in v.history if s.kind is StepKind.NOTIFIED]) == 2
        )
        await close_workflows(env, opened_workflows)
    assert not [s for s in view.history if s.kind is StepKind.NOTIFICATION_FAILED]
    assert [
        r.recipients
        for r in utf8_mailbox.received
        if r.recipients != ["grievance-desk@example.com"]
    ] == [["zoë@xn--exmple-cua.in"]]


# --- a bug fails for good after a few attempts ---------------------------------------------


class Broken(NotificationActivities):
    def _render(self, delivery: Delivery) -> RenderedMessage:
        raise RuntimeError("a bug")


async def test_an_unexpected_error_is_retried_a_few_times_then_fails_for_good(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    broken = Broken(
        SmtpSettings(port=mailbox.port),
        ChannelSettings(sent_ledger=tmp_path / "sent.sqlite3"),
        load_templates(POLICY_DIR),
    )
    environment = ActivityEnvironment()
    for attempt in range(1, UNEXPECTED_ATTEMPTS + 1):
        environment.info = dataclasses.replace(environment.info, attempt=attempt)
        with pytest.raises(ApplicationError) as raised:
            await environment.run(broken.send_notification, sample_delivery())
        assert raised.value.type == "UnexpectedError"
        assert raised.value.non_retryable is (attempt == UNEXPECTED_ATTEMPTS)
        assert "RuntimeError" in raised.value.message


# --- the sent-ledger's claims --------------------------------------------------------------


async def test_a_claim_left_by_a_dead_attempt_is_sent_again_with_the_same_message_id(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    ledger = tmp_path / "sent.sqlite3"
    first = await ActivityEnvironment().run(
        activities(mailbox, ledger).send_notification, sample_delivery()
    )
    with sqlite3.connect(ledger) as connection:  # as if the attempt died before its 250 arrived
        connection.execute("UPDATE sent SET state = 'sending'")
    again = await ActivityEnvironment().run(
        activities(mailbox, ledger).send_notification, sample_delivery()
    )
    assert again == first
    assert list(mailbox.message_ids().values()) == [2], "at least once: resent, same Message-ID"
    entry = SqliteLedger(ledger).find(sample_delivery().idempotency_key)
    assert entry is not None and entry.mark is Mark.SENT


async def test_a_refusal_at_data_releases_the_claim(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.refuse_recipient = lambda _address: False
    ledger = tmp_path / "sent.sqlite3"
    mailbox.data_faults = 1  # the server answers 451 to DATA
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            activities(mailbox, ledger).send_notification, sample_delivery()
        )
    assert (raised.value.type, raised.value.non_retryable) == ("MailDeferred", False)
    assert SqliteLedger(ledger).find(sample_delivery().idempotency_key) is None
    await ActivityEnvironment().run(
        activities(mailbox, ledger).send_notification, sample_delivery()
    )
    assert len(mailbox.to(CUSTOMER_EMAIL)) == 2  # the 451 one was stored anyway (see the mailbox)


async def test_a_ledger_from_before_claims_is_read_as_sent(tmp_path: Path) -> None:
    ledger = tmp_path / "sent.sqlite3"
    with sqlite3.connect(ledger) as connection:
        connection.execute(
            "CREATE TABLE sent (key TEXT PRIMARY KEY, message TEXT NOT NULL,"
            " at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        connection.execute(
            "INSERT INTO sent (key, message) VALUES ('k', ?)",
            ('{"channel": "email", "address": "a@b.in", "message_id": "<m@x>", "template": "t"}',),
        )
    entry = SqliteLedger(ledger).find("k")
    assert entry is not None and entry.mark is Mark.SENT and entry.sent.message_id == "<m@x>"


def cut_ledger_connections(url: str) -> None:
    """Close the ledgers' connections from the server's side, as a restart or a failover does."""
    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'complaints sent-ledger'"
        )


async def test_a_ledger_that_cannot_be_read_fails_the_attempt_as_an_outage_and_sends_nothing(
    mailbox: Mailbox, postgres_ledger: str
) -> None:
    ledger = PostgresLedger(postgres_ledger)
    sender = NotificationActivities(
        SmtpSettings(port=mailbox.port, timeout_seconds=5),
        ChannelSettings(sent_ledger=None),
        load_templates(POLICY_DIR),
        ledger,
    )
    cut_ledger_connections(postgres_ledger)
    environment = ActivityEnvironment()  # the attempt after which a bug would fail for good
    environment.info = dataclasses.replace(environment.info, attempt=UNEXPECTED_ATTEMPTS)
    with pytest.raises(ApplicationError) as raised:
        await environment.run(sender.send_notification, sample_delivery())
    assert (raised.value.type, raised.value.non_retryable) == ("LedgerUnavailable", False)
    assert "the sent-ledger (PostgreSQL at 127.0.0.1:" in raised.value.message
    assert mailbox.messages == [], "nothing leaves unclaimed"
    await ActivityEnvironment().run(sender.send_notification, sample_delivery())  # reconnected
    assert len(mailbox.messages) == 1
    entry = ledger.find(sample_delivery().idempotency_key)
    assert entry is not None and entry.mark is Mark.SENT


async def test_a_ledger_lost_after_the_server_took_the_message_does_not_fail_the_send(
    mailbox: Mailbox, postgres_ledger: str
) -> None:
    """Failing the attempt would resend for certain; completing it records the send in Temporal."""
    ledger = PostgresLedger(postgres_ledger)
    sender = NotificationActivities(
        SmtpSettings(port=mailbox.port, timeout_seconds=5),
        ChannelSettings(sent_ledger=None),
        load_templates(POLICY_DIR),
        ledger,
    )
    mailbox.data_answered.clear()  # the server stores the message and holds its 250
    sending = asyncio.create_task(
        ActivityEnvironment().run(sender.send_notification, sample_delivery())
    )
    try:
        await eventually(lambda: len(mailbox.messages) == 1)
        cut_ledger_connections(postgres_ledger)  # the mark after the 250 will fail
    finally:
        mailbox.data_answered.set()
    sent = await sending
    assert sent.message_id == str(mailbox.messages[0]["Message-ID"])
    entry = ledger.find(sample_delivery().idempotency_key)
    assert entry is not None and entry.mark is Mark.SENDING, "the claim stays: maybe sent"
