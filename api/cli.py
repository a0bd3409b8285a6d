"""The `complaints` command: `simulate` prints a timeline under a policy; `token` mints a token;
`codec-key` makes a payload key; `ui-links` prints the Web UI's ready-made views; `journal
rebuild` fills the case journal from the workflows; `feed status` and `feed retry` show and requeue
the CRM feed's events."""

import argparse
import asyncio
import json
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from activities.crm_feed import CrmFeedConfigError, CrmFeedSettings, feed_status
from activities.journal_store import CaseJournal
from api.calendars import NoCalendar, business_calendar_for
from api.credentials import AuthSettings, BrandKey, mint_token
from api.journal import rebuild
from api.ui_views import DEV_UI, VIEWS
from domain.case_actions import parse_case_flag
from domain.cases import CaseNotValid
from domain.commands import VERBS
from domain.complaint import Complaint
from domain.delivery import message_facts
from domain.durations import DurationKind, parse_duration
from domain.identity import customer_id
from domain.intake import Channel, ComplaintIntake, Customer
from domain.messages import DEFAULT_BRAND
from domain.policy_files import PolicyError, load_policy_set, load_templates
from domain.simulation import TIMELINE_EVENTS, InputEvent, TimelineEntry, simulated_complaint
from domain.simulation import timeline as complaint_timeline
from domain.status import ActionNotAllowed
from domain.templates import TemplateProblem
from workflows.codec import CodecKey, CodecKeyError
from workflows.connection import connect
from workflows.settings import EngineSettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="complaints", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser(
        "simulate",
        help="print a complaint's timeline under a policy, without running Temporal",
        description=(
            "Prints every step a complaint would take: warnings, breaches, escalations, "
            f"re-alerts. Events: {', '.join(VERBS)}. "
            f"Output events: {', '.join(TIMELINE_EVENTS.values())}."
        ),
    )
    sim.add_argument("--policy", type=Path, default=Path("policy"), help="file or directory")
    sim.add_argument("--brand", help="brand policy in a directory (default: default.yaml)")
    sim.add_argument("--country", required=True, help="country code, e.g. MX or IN")
    sim.add_argument("--opened", required=True, type=_moment, help="ISO 8601 with offset")
    sim.add_argument("--case-type", help="playbook to run from the start (policy `playbooks`)")
    sim.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a field of the --case-type's playbook; repeatable",
    )
    sim.add_argument(
        "--event",
        action="append",
        default=[],
        metavar='"TIME ACTION [TEXT]"',
        help='e.g. "2026-11-14T10:00:00-06:00 pause asked for photos"; repeatable',
    )
    sim.add_argument("--until", type=_moment, help="simulate up to this time")
    sim.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    sim.add_argument(
        "--messages",
        action="store_true",
        help="after the timeline, print every message the complaint sent, rendered from the "
        "policy's templates in its recipient's language and zone",
    )
    token = commands.add_parser(
        "token",
        help="print a bearer token for the API, signed with COMPLAINTS_JWT_SECRET",
        description=(
            "Prints a JWT the API accepts, signed with the same settings it reads "
            "(COMPLAINTS_JWT_SECRET, _JWT_ISSUER, _JWT_AUDIENCE; COMPLAINTS_CUSTOMER_ID_SECRET "
            "for customers). Staff: --sub; a customer: --email or --phone, from which the "
            "customer id (the token's sub) is derived. --brand confines the holder to those "
            "brands' complaints."
        ),
    )
    token.add_argument(
        "--role", required=True, choices=["customer", "agent", "supervisor", "admin"]
    )
    token.add_argument("--sub", help="who the holder is, e.g. alice (staff only)")
    token.add_argument("--email", help="the customer's email (customers)")
    token.add_argument("--phone", help="the customer's phone, without an email (customers)")
    token.add_argument("--name", help="name recorded in the complaint history")
    token.add_argument(
        "--brand",
        action="append",
        default=[],
        metavar="BRAND",
        help="a brand key (e.g. xiaomi-in) the holder sees and acts on; repeatable; "
        "none: every brand",
    )
    token.add_argument(
        "--ttl",
        type=_ttl,
        default="8h",
        help="lifetime, e.g. 30m or 8h; at most COMPLAINTS_MAX_TOKEN_LIFETIME (12h)",
    )
    codec_key = commands.add_parser(
        "codec-key",
        help="print a new payload key, an entry of COMPLAINTS_CODEC_KEYS",
        description=(
            "Prints `id:base64url` for a new random AES-256 key. Put it first in "
            "COMPLAINTS_CODEC_KEYS to encrypt with it; keep the older keys after it for as "
            "long as histories encrypted with them are running or retained (docs/deploy.md)."
        ),
    )
    codec_key.add_argument(
        "--id", default=None, help="the key's id (default: key-YYYYMMDD, today in UTC)"
    )
    ui_links = commands.add_parser(
        "ui-links",
        help="print the Web UI links of the ready-made views (docs/operations.md), for now",
        description=(
            "Prints each ready-made view as a link to the Web UI's workflow list. The UI's "
            "filter takes literal timestamps: the links of views about time hold them for now."
        ),
    )
    ui_links.add_argument("--ui", default=DEV_UI, help=f"the Web UI's address (default {DEV_UI})")
    ui_links.add_argument("--namespace", default="default", help="the Temporal namespace")
    journal = commands.add_parser(
        "journal",
        help="the case journal: `journal rebuild` fills it again from the workflows",
        description=(
            "Writes every complaint Temporal holds (running, or closed within retention) to the "
            "case journal (COMPLAINTS_JOURNAL_URL) from its workflow: for complaints started "
            "before the journal existed, or after losing the journal's database. Idempotent. "
            "Needs Temporal (TEMPORAL_ADDRESS…), the payload keys and a running worker."
        ),
    )
    journal.add_argument("action", choices=["rebuild"])
    feed = commands.add_parser(
        "feed",
        help="the CRM feed: `feed status` per endpoint, `feed retry` requeues what failed",
        description=(
            "status: each CRM endpoint's events by state (pending, delivered, failed, "
            "abandoned), the oldest still pending and the latest problems, from the case "
            "journal's outbox (COMPLAINTS_JOURNAL_URL). retry: failed and abandoned events "
            "(of --complaint, or all) are queued again with a fresh give-up age; a running "
            "worker delivers them."
        ),
    )
    feed.add_argument("action", choices=["status", "retry"])
    feed.add_argument("--complaint", help="retry: only this complaint's events")
    args = parser.parse_args(argv)
    if args.command == "journal":
        return asyncio.run(_rebuild_journal())
    if args.command == "feed":
        outbox = CaseJournal(EngineSettings().journal_url)
        if args.action == "status":
            print(feed_status(outbox.feed_status()))
        else:
            print(f"{outbox.retry_feed_events(args.complaint)} events queued again")
        return 0
    if args.command == "ui-links":
        now = datetime.now(UTC)
        for view in VIEWS:
            print(f"{view.name}\n  {view.link(now, args.ui, args.namespace)}")
        return 0
    if args.command == "token":
        return _print_token(args)
    if args.command == "codec-key":
        key_id = args.id or f"key-{datetime.now(UTC):%Y%m%d}"
        try:
            print(CodecKey.generate(key_id).encoded())
        except CodecKeyError as err:
            print(f"complaints codec-key: {err}", file=sys.stderr)
            return 2
        return 0
    try:
        complaint = _simulate(args)
        timeline = complaint_timeline(complaint.history, complaint.policy, complaint.calendar)
        messages = _messages(args.policy, complaint) if args.messages else ""
    except (PolicyError, NoCalendar, ActionNotAllowed, CaseNotValid, KeyError, ValueError) as err:
        message = err.args[0] if isinstance(err, KeyError) else str(err)
        print(f"complaints simulate: {message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([entry.model_dump(mode="json") for entry in timeline], indent=2))
    else:
        print(_table(timeline))
    if messages:
        print(messages, end="")
    return 0


async def _rebuild_journal() -> int:
    settings = EngineSettings()
    try:
        policies = load_policy_set(settings.escalation_policy)
        feeds = CrmFeedSettings().feeds()
        feeds.check_brands(policies.brands)
        client = await connect()
    except (PolicyError, CodecKeyError, CrmFeedConfigError) as err:
        print(f"complaints journal: {err}", file=sys.stderr)
        return 2
    # Steps the journal did not have go to the CRM feed too (receivers drop repeats by key).
    written = await rebuild(client, CaseJournal(settings.journal_url, feeds=feeds), policies)
    print(f"{written} complaints written to the case journal")
    return 0


def _print_token(args: argparse.Namespace) -> int:
    try:
        settings = AuthSettings()
        if args.ttl > settings.max_token_lifetime:
            raise ValueError(
                f"--ttl {args.ttl} is longer than the {settings.max_token_lifetime} the API "
                "accepts (COMPLAINTS_MAX_TOKEN_LIFETIME)"
            )
        subject = _subject(args, settings)
        brands = [_brand(brand) for brand in args.brand]
        print(mint_token(settings, subject, args.role, args.name, args.ttl, brands=brands))
    except ValueError as err:  # bad settings or arguments; pydantic errors are ValueErrors
        print(f"complaints token: {err}", file=sys.stderr)
        return 2
    return 0


def _subject(args: argparse.Namespace, settings: AuthSettings) -> str:
    """The token's `sub`: given for staff; for a customer, the id derived from email or phone."""
    if args.role != "customer":
        if args.sub is None or args.email or args.phone:
            raise ValueError("staff tokens take --sub (and no --email or --phone)")
        return args.sub
    if args.sub is not None or not (args.email or args.phone):
        raise ValueError("a customer token takes --email or --phone; its sub is derived")
    # Validated and normalised exactly as the intake form does (E.164 phone, checked email).
    try:
        customer = Customer(name="token holder", email=args.email, phone=args.phone)
    except ValidationError as err:
        error = err.errors()[0]
        raise ValueError(f"--{error['loc'][0]}: {error['msg']}") from None
    if settings.customer_id_secret is None:
        raise ValueError("customer tokens need COMPLAINTS_CUSTOMER_ID_SECRET, as the API has")
    secret = settings.customer_id_secret.get_secret_value().encode()
    return customer_id(secret, customer.email, customer.phone)


def _brand(text: str) -> str:
    try:
        return TypeAdapter(BrandKey).validate_python(text)
    except ValidationError:
        raise ValueError(
            f"--brand {text!r}: not a brand key (a policy file's name, e.g. xiaomi-in)"
        ) from None


def _ttl(text: str) -> timedelta:
    try:
        duration = parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if duration.kind is not DurationKind.ELAPSED:
        raise argparse.ArgumentTypeError(f"{text!r}: a token lives in elapsed time, e.g. 8h")
    return duration.length


def _simulate(args: argparse.Namespace) -> Complaint:
    policy = load_policy_set(args.policy).for_brand(args.brand)
    case = None
    if args.case_type:
        case = parse_case_flag(shlex.join([args.case_type, *args.field]))
    country = args.country.upper()
    playbook = policy.playbooks.get(args.case_type) if args.case_type else None
    calendar = business_calendar_for(policy, country, args.opened.date())
    events = [InputEvent.parse(spec) for spec in args.event]
    intake = ComplaintIntake(
        customer=Customer(name="Simulated customer", email="customer@example.com"),
        country=country,
        product="simulated product",
        channel=Channel.PHONE,
        reason=playbook.title if playbook else "simulation",
        description="simulated complaint",
        brand=args.brand,
    )
    return simulated_complaint(intake, policy, calendar, args.opened, events, args.until, case)


def _messages(policy_path: Path, complaint: Complaint) -> str:
    """Every message the simulated complaint owed, as its recipient would read it."""
    templates = load_templates(policy_path)
    brand = complaint.intake.brand or DEFAULT_BRAND
    moments = {step.seq: step.at for step in complaint.history}
    out = []
    for owed in complaint.outbox:
        recipient = owed.recipient
        locale = recipient.locale or complaint.locale
        zone = recipient.timezone or complaint.zone_name
        try:
            message = templates.render(brand, locale, owed, message_facts(complaint, owed), zone)
        except TemplateProblem as err:
            raise ValueError(f"{owed.kind} in {locale}: {err}") from None
        at = moments[owed.step].astimezone(complaint.zone).isoformat()
        out.append(
            f"--- {at} {owed.kind} to {recipient.role} ({recipient.name}) [{locale}]\n"
            f"Subject: {message.subject}\n\n{message.body}\n"
        )
    return "".join(out)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give the offset, e.g. 2026-11-13T17:00-06:00")
    return moment


def _table(timeline: list[TimelineEntry]) -> str:
    rows = [("at", "level", "event", "owner", "why / what")]
    for entry in timeline:
        detail = " | ".join(part for part in (entry.case, entry.reason, entry.text) if part)
        rows.append((entry.at.isoformat(), entry.level, entry.event, entry.owner_role, detail))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[4]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


if __name__ == "__main__":
    raise SystemExit(main())
