"""Internationalised addresses against a mail server without SMTPUTF8: ASCII addresses and IDNA
domains delivered, a non-ASCII local part refused for good at once, recorded, and sent on the
fallback (a text through the SMS-by-email gateway) or, with no phone, the owner told."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, RetryState
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client

from bench.reliability.faults import Faults
from bench.reliability.load import filing
from bench.reliability.settings import SMS_GATEWAY
from bench.reliability.stack import Stack
from domain.intake import ComplaintIntake
from domain.messages import DeliveryChannel, Notification, NotificationKind
from workflows.ids import workflow_id

IDNA_DOMAIN = ("exämple.in", "xn--exmple-cua.in")
"""A domain as the customer writes it and as the envelope must carry it."""
REFUSED = "does not take internationalised addresses"
"""What the engine's reason says when the server has no SMTPUTF8 (activities/email.py)."""
CUSTOMER_KINDS = (NotificationKind.ACKNOWLEDGEMENT, NotificationKind.ESCALATED)
"""What a customer is sent under the suite's policy."""


class AddressKind(StrEnum):
    ASCII = "ASCII"
    IDNA_DOMAIN = "IDNA domain"
    UTF8_LOCAL_WITH_PHONE = "non-ASCII local part, with a phone"
    UTF8_LOCAL_ONLY = "non-ASCII local part, no phone"


class Seen(StrEnum):
    """What the checks count, in the order the report shows it."""

    ASCII_EMAILED = "ASCII: customer emails delivered to the address, without SMTPUTF8"
    IDNA_EMAILED = "IDNA domain: customer emails delivered to its xn-- form, without SMTPUTF8"
    UTF8_EMAILED = "non-ASCII local part: customer emails delivered (none may be)"
    UTF8_REFUSED = "non-ASCII local part: `notification_failed` naming the address and why"
    TEXTED = "with a phone: texts through the SMS-by-email gateway"
    TEXT_RECORDED = "with a phone: `notified` by sms in the history"
    UNDELIVERED = "no phone: `undelivered` in the history"
    OWNER_TOLD = "no phone: the owner's `delivery_failed` emails"


OWED_BY = {
    Seen.ASCII_EMAILED: (AddressKind.ASCII,),
    Seen.IDNA_EMAILED: (AddressKind.IDNA_DOMAIN,),
    Seen.UTF8_EMAILED: (),
    Seen.UTF8_REFUSED: (AddressKind.UTF8_LOCAL_WITH_PHONE, AddressKind.UTF8_LOCAL_ONLY),
    Seen.TEXTED: (AddressKind.UTF8_LOCAL_WITH_PHONE,),
    Seen.TEXT_RECORDED: (AddressKind.UTF8_LOCAL_WITH_PHONE,),
    Seen.UNDELIVERED: (AddressKind.UTF8_LOCAL_ONLY,),
    Seen.OWNER_TOLD: (AddressKind.UTF8_LOCAL_ONLY,),
}
"""The complaints that owe each count one per customer message (`CUSTOMER_KINDS`)."""


def address_kind(intake: ComplaintIntake) -> AddressKind:
    local, _, domain = (intake.customer.email or "").rpartition("@")
    if not local.isascii():
        return (
            AddressKind.UTF8_LOCAL_WITH_PHONE
            if intake.customer.phone
            else AddressKind.UTF8_LOCAL_ONLY
        )
    return AddressKind.ASCII if domain.isascii() else AddressKind.IDNA_DOMAIN


def international_filing(scenario: str, number: int, run: str) -> dict[str, Any]:
    """The suite's filing with the customer's address of kind `number % 4`."""
    form = filing(scenario, number, run)
    kind = list(AddressKind)[number % len(AddressKind)]
    customer = form["customer"]
    if kind is AddressKind.IDNA_DOMAIN:
        customer = {**customer, "email": f"u-{run}-{number}@{IDNA_DOMAIN[0]}"}
    elif kind is AddressKind.UTF8_LOCAL_WITH_PHONE:
        customer = {**customer, "email": f"zoë-{run}-{number}@example.in"}
        customer["phone"] = f"+9198{number:08d}"
    elif kind is AddressKind.UTF8_LOCAL_ONLY:
        customer = {**customer, "email": f"zoë-{run}-{number}@example.in"}
    return {**form, "customer": customer}


def sms_address(phone: str) -> str:
    """Where the SMS-by-email gateway sends a text for `phone`."""
    return SMS_GATEWAY.removeprefix("mailto:").replace("{phone}", phone)


@dataclass
class NoSmtpUtf8:
    """The sink restarted without SMTPUTF8 for the scenario; afterwards, what became of each
    customer's messages, read from the sink and from the complaint's history."""

    stack: Stack
    faults: Faults
    seen: Counter[Seen] = field(default_factory=lambda: Counter(dict.fromkeys(Seen, 0)))

    def begin(self) -> None:
        self._restart_sink(smtputf8=False)

    def _restart_sink(self, smtputf8: bool) -> None:
        self.stack.smtp.stop()
        self.stack.smtp.smtputf8 = smtputf8
        self.stack.smtp.start()

    @staticmethod
    def reroute(
        intake: ComplaintIntake,
        notification: Notification,
        channel: DeliveryChannel,
    ) -> str | None:
        """What the sink receives for one message owed: a customer email the server cannot
        take arrives as the text (the fallback); with no phone, nothing to match by key (the
        owner's notice goes to whoever owns the complaint when the refusal is recorded, counted
        by `after`)."""
        as_owed = f"{notification.kind.value}/{notification.recipient.role}/{channel.value}"
        if notification.recipient.role != "customer" or channel is not DeliveryChannel.EMAIL:
            return as_owed
        match address_kind(intake):
            case AddressKind.UTF8_LOCAL_WITH_PHONE:
                return f"{notification.kind.value}/customer/{DeliveryChannel.SMS.value}"
            case AddressKind.UTF8_LOCAL_ONLY:
                return None
            case _:
                return as_owed

    async def after(self, views: dict[str, dict[str, Any]]) -> None:
        """Check each complaint's customer messages in its view as the scenario read it back
        (one it could not read counts as lost there), then that no send is still retrying; the
        sink offers SMTPUTF8 again, for the scenarios after this one."""
        self._restart_sink(smtputf8=True)
        kinds: Counter[AddressKind] = Counter()
        failure_delays: list[float] = []
        reasons: list[str] = []
        complaints = set(views)
        for complaint, view in sorted(views.items()):
            intake = ComplaintIntake.model_validate(view["intake"])
            kind = address_kind(intake)
            kinds[kind] += 1
            problems = self._check(complaint, kind, intake, view, failure_delays, reasons)
            self.faults.violations += [f"{complaint} ({kind}): {p}" for p in problems]
        self.faults.injected += kinds[AddressKind.UTF8_LOCAL_WITH_PHONE]
        self.faults.injected += kinds[AddressKind.UTF8_LOCAL_ONLY]
        client = await Client.connect(f"127.0.0.1:{self.stack.server_port}")
        pending = await _pending_sends(client, complaints)
        if pending:
            self.faults.violations.append(f"{len(pending)} sends still pending: {pending[:3]}")
        refusals = [r for c in complaints for r in await _failed_sends(client, c)]
        retried = [r for r in refusals if r != (1, RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE)]
        if retried or len(refusals) != len(failure_delays):
            self.faults.violations.append(
                f"{len(refusals)} sends failed in Temporal for {len(failure_delays)} recorded, "
                f"{len(retried)} not refused for good at the first attempt: {retried[:3]}"
            )
        delays = sorted(failure_delays)
        owed = {
            what: len(CUSTOMER_KINDS) * sum(kinds[kind] for kind in by)
            for what, by in OWED_BY.items()
        }
        self.faults.measures += [
            ("complaints by customer address", ", ".join(f"{k}: {kinds[k]}" for k in AddressKind)),
            *((what.value, f"{n} of {owed[what]} owed") for what, n in self.seen.items()),
            (
                "sends failed in Temporal / refused for good at the first attempt",
                f"{len(refusals)} / {len(refusals) - len(retried)}",
            ),
            (
                "`notification_failed` recorded after its step: p50 / max",
                f"{delays[len(delays) // 2] if delays else 0:.2f} s / "
                f"{delays[-1] if delays else 0:.2f} s (the engine's backlog included)",
            ),
            ("the reason recorded", f"`{reasons[0][:140]}`" if reasons else "none"),
            ("send activities pending after the drain", f"{len(pending)}"),
        ]

    def _check(
        self,
        complaint: str,
        kind: AddressKind,
        intake: ComplaintIntake,
        view: dict[str, Any],
        failure_delays: list[float],
        reasons: list[str],
    ) -> list[str]:
        """What is wrong with one complaint's customer messages (nothing: an empty list)."""
        sink = self.stack.smtp.sink
        keys = [key for key in list(sink.recipients) if key.startswith(f"{complaint}/")]
        received = {key.split("/", 2)[2]: sink.recipients[key] for key in keys}
        """`kind/role/channel` -> the envelope's recipients (each kind goes once to a role)."""
        emailed = [received.get(f"{k}/customer/email") for k in CUSTOMER_KINDS]
        history = view["history"]
        at = {step["seq"]: datetime.fromisoformat(step["at"]) for step in history}
        failed = [s for s in history if s["kind"] == "notification_failed"]
        for step in failed:
            owed_at = at[int(step["reason"].rsplit("step ", 1)[1].rstrip(")"))]
            failure_delays.append((datetime.fromisoformat(step["at"]) - owed_at).total_seconds())
            reasons.append(step["text"] or "")
        texted = [
            s for s in history if s["kind"] == "notified" and (s["text"] or "").startswith("sms ")
        ]
        undelivered = [s for s in history if s["kind"] == "undelivered"]
        owner_told = [k for k in keys if f"/{NotificationKind.DELIVERY_FAILED.value}/" in k]
        email = intake.customer.email or ""
        if kind is AddressKind.ASCII or kind is AddressKind.IDNA_DOMAIN:
            local = email.rpartition("@")[0]
            envelope = email if kind is AddressKind.ASCII else f"{local}@{IDNA_DOMAIN[1]}"
            delivered = emailed.count(envelope)  # as written / in punycode, without SMTPUTF8
            self.seen[Seen.ASCII_EMAILED if kind is AddressKind.ASCII else Seen.IDNA_EMAILED] += (
                delivered
            )
            problems = [] if delivered == len(CUSTOMER_KINDS) else [f"emails went to {emailed}"]
            return problems + ([f"failures recorded: {len(failed)}"] if failed else [])
        self.seen[Seen.UTF8_EMAILED] += sum(1 for to in emailed if to)
        problems = [f"emailed: {emailed}"] if any(emailed) else []
        readable = [s for s in failed if REFUSED in (s["text"] or "") and email in s["text"]]
        self.seen[Seen.UTF8_REFUSED] += len(readable)
        if len(readable) != len(CUSTOMER_KINDS):
            problems.append(f"{len(readable)} readable refusals of {len(failed)} failures")
        if kind is AddressKind.UTF8_LOCAL_WITH_PHONE:
            phone = intake.customer.phone or ""
            texts = [received.get(f"{k}/customer/sms") for k in CUSTOMER_KINDS]
            delivered = texts.count(sms_address(phone))
            self.seen[Seen.TEXTED] += delivered
            self.seen[Seen.TEXT_RECORDED] += len(texted)
            if delivered != len(CUSTOMER_KINDS) or len(texted) != len(CUSTOMER_KINDS):
                problems.append(f"texts {texts}, {len(texted)} recorded")
            if undelivered or owner_told:
                problems.append("recorded undelivered although the text went")
        else:
            self.seen[Seen.UNDELIVERED] += len(undelivered)
            self.seen[Seen.OWNER_TOLD] += len(owner_told)
            if len(undelivered) != len(CUSTOMER_KINDS) or len(owner_told) != len(CUSTOMER_KINDS):
                problems.append(f"{len(undelivered)} undelivered, owner told {owner_told}")
        return problems


async def _pending_sends(client: Client, complaints: set[str]) -> list[str]:
    """Activities still pending on the complaints' workflows (a send retried for ever)."""
    descriptions = await asyncio.gather(
        *(  # raw: nothing to decode (the payloads are sealed with the complaints key)
            client.workflow_service.describe_workflow_execution(
                DescribeWorkflowExecutionRequest(
                    namespace=client.namespace,
                    execution=WorkflowExecution(workflow_id=workflow_id(c)),
                )
            )
            for c in complaints
        )
    )
    return [
        f"{d.workflow_execution_info.execution.workflow_id}: "
        f"{a.activity_type.name} attempt {a.attempt}"
        for d in descriptions
        for a in d.pending_activities
    ]


async def _failed_sends(client: Client, complaint: str) -> list[tuple[int, RetryState.ValueType]]:
    """(attempt, retry state) of each activity that failed in the complaint's workflow history
    (read raw: the failures' messages are sealed)."""
    attempts: dict[int, int] = {}
    failed = []
    async for event in client.get_workflow_handle(workflow_id(complaint)).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attempts[event.event_id] = event.activity_task_started_event_attributes.attempt
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            failure = event.activity_task_failed_event_attributes
            failed.append((attempts[failure.started_event_id], failure.retry_state))
    return failed
