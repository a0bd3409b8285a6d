"""Message templates as files: one per message kind and locale, overridable per brand.

Layout: `<root>/default/<locale>/<kind>.txt` for every brand, `<root>/<brand>/<locale>/<kind>.txt`
to override one. A file starts with a `Subject:` line, a blank line, then the body; an optional
`<kind>.sms.txt` is the text message (else the subject is). Templates are Jinja2 in a sandbox
with strict undefined names; the seed's legacy placeholders (`#CUSTOMER#`) are translated
against an allow-list. Every template is compiled and test-rendered when the policy loads, so a
missing or broken one stops the load, never a running complaint.
"""

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from jinja2 import StrictUndefined, Template, TemplateError, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict

from domain.cases import EXAMPLE_ESCALATION_RECORD, EscalationRecord
from domain.messages import (
    DEFAULT_BRAND,
    LevelFacts,
    MessageFacts,
    Notification,
    NotificationKind,
    Recipient,
)
from domain.wording import Speaker

LEGACY_PLACEHOLDERS = {
    "CUSTOMER": "customer_name",
    "BRAND": "brand",
    "AGENTFIRSTNAME": "agent_first_name",
    "TICKET": "complaint_id",
    "PRODUCT": "product",
}
"""Placeholders of the help desk's old templates (seed 003) and the variable each stands for."""

_LEGACY = re.compile(r"#([A-Z][A-Z0-9_]*)#")
_SUBJECT = re.compile(r"\ASubject:[ \t]*(?P<subject>.+?)[ \t]*\r?\n\r?\n(?P<body>.*)\Z", re.S)


class TemplateProblem(ValueError):
    """A template is missing, broken or uses a name it may not; the message names the file."""


class RenderedMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    body: str
    sms: str
    template: str
    """Which file rendered it: `<brand>/<locale>/<kind>`."""


class MessageTemplate:
    """The compiled subject, body and text message of one kind in one locale."""

    def __init__(self, source: str, subject: Template, body: Template, sms: Template | None):
        self.source = source
        self._subject = subject
        self._body = body
        self._sms = sms

    def render(self, context: dict[str, Any]) -> RenderedMessage:
        subject = " ".join(self._subject.render(context).split())
        body = self._body.render(context).strip() + "\n"
        sms = " ".join(self._sms.render(context).split()) if self._sms else subject
        return RenderedMessage(subject=subject, body=body, sms=sms, template=self.source)


class TemplateCatalog:
    """Every template under one root directory, compiled once."""

    def __init__(self, root: Path) -> None:
        if not (root / DEFAULT_BRAND).is_dir():
            raise TemplateProblem(f"{root}: needs a `{DEFAULT_BRAND}/<locale>/` template folder")
        self.root = root
        self._environment = ImmutableSandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self._environment.filters["when"] = _when
        self._environment.filters["span"] = _span
        self._templates: dict[tuple[str, str, str], MessageTemplate] = {}
        kinds = {kind.value for kind in NotificationKind}
        for path in sorted(root.glob("*/*/*.txt")):
            kind = path.name.removesuffix(".txt").removesuffix(".sms")
            if kind not in kinds:  # a misspelt override would silently never be used
                raise TemplateProblem(f"{path}: no message kind {kind!r}; kinds: {sorted(kinds)}")
            if not path.name.endswith(".sms.txt"):
                brand, locale = path.parent.parent.name, path.parent.name
                self._templates[brand, locale, kind] = self._compile(path)

    @property
    def locales(self) -> set[str]:
        return {locale for brand, locale, _ in self._templates if brand == DEFAULT_BRAND}

    def template(self, brand: str, locale: str, kind: NotificationKind) -> MessageTemplate:
        """The brand's own template, else the default one."""
        found = self._templates.get((brand, locale, kind.value)) or self._templates.get(
            (DEFAULT_BRAND, locale, kind.value)
        )
        if found is None:
            raise TemplateProblem(
                f"{self.root}: no template for {kind.value!r} in {locale!r}; add "
                f"{DEFAULT_BRAND}/{locale}/{kind.value}.txt (or {brand}/{locale}/...)"
            )
        return found

    def render(
        self,
        brand: str,
        locale: str,
        notification: Notification,
        facts: MessageFacts,
        zone: str,
        tracking_link: str | None = None,
    ) -> RenderedMessage:
        """The message for `notification` in `locale`, its times in `zone`; `tracking_link`
        (the customer's page, made by the sender: never in a workflow) where there is one."""
        template = self.template(brand, locale, notification.kind)
        context = message_context(notification, facts, locale, zone, tracking_link)
        return template.render(context)

    def check(self, brand: str, locales: set[str]) -> None:
        """Render every kind in every locale with sample facts: any gap or error fails here."""
        for locale in sorted(locales):
            _babel_locale(locale)
            for kind in NotificationKind:
                template = self.template(brand, locale, kind)
                for notification, link in _samples(kind):
                    context = message_context(notification, SAMPLE_FACTS, locale, "UTC", link)
                    try:
                        template.render(context)
                    except TemplateError as err:
                        raise TemplateProblem(f"{template.source}.txt: {err}") from None

    def _compile(self, path: Path) -> MessageTemplate:
        source = str(path.relative_to(self.root).with_suffix(""))
        text = path.read_text(encoding="utf-8")
        found = _SUBJECT.match(text)
        if found is None:
            raise TemplateProblem(f"{path}: start with `Subject: ...`, a blank line, then the body")
        sms_path = path.with_suffix(".sms.txt")
        try:
            return MessageTemplate(
                source,
                self._from_text(found["subject"], path),
                self._from_text(found["body"], path),
                self._from_text(sms_path.read_text(encoding="utf-8"), sms_path)
                if sms_path.exists()
                else None,
            )
        except TemplateError as err:
            raise TemplateProblem(f"{path}: {err}") from None

    def _from_text(self, text: str, path: Path) -> Template:
        return self._environment.from_string(translate_legacy(text, str(path)))


def translate_legacy(text: str, source: str) -> str:
    """Turn `#CUSTOMER#`-style placeholders into Jinja2 variables; refuse unknown ones."""

    def variable(found: re.Match[str]) -> str:
        name = found[1]
        if name not in LEGACY_PLACEHOLDERS:
            known = ", ".join(f"#{known}#" for known in LEGACY_PLACEHOLDERS)
            raise TemplateProblem(f"{source}: unknown placeholder #{name}#; known: {known}")
        return "{{ " + LEGACY_PLACEHOLDERS[name] + " }}"

    return _LEGACY.sub(variable, text)


def message_context(
    notification: Notification,
    facts: MessageFacts,
    locale: str,
    zone: str,
    tracking_link: str | None = None,
) -> dict[str, Any]:
    """Every name a template may use; absent facts are None, never undefined."""
    record = notification.record
    signature = (facts.agent_name or "").split() or facts.brand.split() or ["—"]
    speaker = speaker_for(locale, zone, in_case=notification.case is not None)
    recipient = notification.recipient
    recipient_name = recipient.name
    if recipient_name == recipient.role.replace("_", " "):  # a role without a named contact
        recipient_name = speaker.addressee(recipient.role)
    return {
        "complaint_id": facts.complaint_id,
        "customer_name": facts.customer_name,
        "product": facts.product,
        "reason": facts.reason,
        "level_name": facts.level_name,
        "level": notification.level,
        "owner": speaker.owner(facts.owner_role, facts.level_name),
        "escalation_path": [
            {
                "level": above.level,
                "owner": speaker.owner(above.owner_role, above.name),
                "window": above.window,
            }
            for above in facts.levels_above
        ],
        "brand": facts.brand,
        "agent_first_name": signature[0],
        "recipient_name": recipient_name,
        "recipient_role": recipient.role,
        "recorded_by": speaker.recorder(facts.recorded_by),
        "company": facts.company,
        "why": speaker.say(notification.reason),
        "deadline": notification.deadline,
        "promise": notification.promise,
        "resolution": notification.resolution,
        "text": speaker.say(notification.text),
        "case_title": record.case_title if record else notification.case,
        "case_type": notification.case,
        "record": record_lines(notification, speaker),
        "tracking_link": tracking_link,
        "locale": locale,
        "zone": zone,
    }


def record_lines(notification: Notification, speaker: Speaker) -> list[tuple[str, str]]:
    """The escalation record as labelled lines, as the seed's spreadsheet had them (seed 003
    8a: name, phone, email, address, model), in the reader's language."""
    record = notification.record
    if record is None:
        return []
    label = speaker.label
    lines = [
        (label("Ticket"), record.ticket),
        (label("Case"), record.case_title),
        (label("Customer"), record.customer_name),
        (label("Company"), record.customer_company),
        (label("Address"), record.customer_address),
        (label("Email"), record.customer_email),
        (label("Phone"), record.customer_phone),
        (label("Product"), record.product),
        (label("Description"), record.description),
        *((speaker.field(name), value) for name, value in record.fields.items()),
        (label("Recorded by"), speaker.recorder(record.recorded_by)),
        (label("Promised"), speaker.span(record.promise) if record.promise else None),
        (label("Promise due"), speaker.when(record.promise_due) if record.promise_due else None),
        (label("Asked"), speaker.role(record.asked) if record.asked else None),
        (label("Answer"), speaker.say(record.answer)),
    ]
    return [(name, str(value)) for name, value in lines if value]


def speaker_for(locale: str, zone: str, in_case: bool = False) -> Speaker:
    """The engine's phrases in `locale`'s language, its moments in `zone`."""
    babel_locale = _babel_locale(locale)
    return Speaker(
        babel_locale.language,
        lambda moment: moment_words(moment, locale, zone),
        lambda text: span_words(text, locale),
        in_case,
    )


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    """`{{ deadline | when }}`: a moment as the recipient reads it, their zone, their language."""
    if moment is None:
        return "—"
    return moment_words(moment, context["locale"], context["zone"])


def moment_words(moment: datetime, locale: str, zone: str) -> str:
    """A moment as `{{ deadline | when }}` writes it, with plain spaces: CLDR puts a narrow
    no-break space before `a.m.`, which a text message cannot carry in GSM-7 and some mail
    readers show as a gap."""
    babel_locale = _babel_locale(locale)
    tz = _zone(zone)
    local = moment.astimezone(tz)
    day = format_date(local, "full", locale=babel_locale)
    clock = format_time(local, "short", tzinfo=tz, locale=babel_locale)
    words = f"{day}, {clock} ({get_timezone_name(local, 'long', locale=babel_locale)})"
    return " ".join(words.split())


_SPAN = re.compile(
    r"^(?P<count>\d+(?:\.\d+)?(?:\s*[-\u2013]\s*\d+(?:\.\d+)?)?)\s*"
    r"(?P<business>business\s+)?(?P<unit>[a-z]+?)s?$"
)
_UNIT_WORDS = {
    "en": {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"},
    "es": {"s": "segundos", "m": "minutos", "h": "horas", "d": "días", "w": "semanas"},
}
_UNIT_ALIASES = {"sec": "s", "second": "s", "min": "m", "minute": "m", "hr": "h", "hour": "h"}
_UNIT_ALIASES |= {"day": "d", "week": "w"}
_BUSINESS = {"en": "business {unit}", "es": "{unit} hábiles"}


@pass_context
def _span(context: Context, text: str | None) -> str:
    """`{{ promise | span }}`: a policy's `15-20 days` or `72h` in the recipient's language."""
    return span_words(text, context["locale"])


def span_words(text: str | None, locale: str) -> str:
    """A policy's `15-20 days` or `72h` in the language of `locale` (`72 horas`)."""
    if not text:
        return "—"
    found = _SPAN.match(" ".join(text.lower().split()))
    language = _babel_locale(locale).language
    words = _UNIT_WORDS.get(language, _UNIT_WORDS["en"])
    if found is None:
        return text
    unit = _UNIT_ALIASES.get(found["unit"], found["unit"])
    if unit not in words:
        return text
    count = re.sub(r"\s*[-\u2013]\s*", "-", found["count"])
    name = words[unit]
    if found["business"]:
        name = _BUSINESS.get(language, _BUSINESS["en"]).format(unit=name)
    return f"{count} {name}"


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as err:
        raise TemplateProblem(f"unknown locale {locale!r}: {err}") from None


def _zone(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


SAMPLE_FACTS = MessageFacts(
    complaint_id="c0ffee0123456789",
    customer_name="Asha Verma",
    product="Redmi Note 10 Pro",
    reason="Phone dead after update",
    level_name="Grievance Desk",
    brand="Sample brand",
    agent_name="Priya Shah",
    recorded_by=("receptionist", "Carmen Ruiz"),
    company="Verma Traders",
    owner_role="grievance_desk",
    levels_above=(
        LevelFacts(
            level=2,
            name="Head of Customer Service",
            owner_role="head_of_customer_service",
            window="24h",
        ),
        LevelFacts(
            level=3,
            name="Office of the President",
            owner_role="office_of_the_president",
            window="12h",
        ),
    ),
)
"""What every template is test-rendered with when the policy loads; tests and docs start from it."""


SAMPLE_TRACKING_LINK = "https://support.example.com/track/InNhbXBsZSI.c2lnbmF0dXJl"


def _samples(kind: NotificationKind) -> list[tuple[Notification, str | None]]:
    """A sparse and a full notification of `kind` (the full one with a tracking link): templates
    must handle both."""
    recipient = Recipient(role="customer", name="Asha Verma", email="asha@example.in")
    sparse = Notification(step=1, kind=kind, recipient=recipient, level=1)
    full = sparse.model_copy(
        update={
            "deadline": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            "reason": "why it happened",
            "resolution": "a replacement unit",
            "promise": "3-5 business days",
            "case": "no_diagnosis",
            "text": "what to do",
            "record": EscalationRecord.model_validate(EXAMPLE_ESCALATION_RECORD),
        }
    )
    staff = full.model_copy(
        update={"recipient": Recipient(role="supervisor", name="S", email=None)}
    )
    return [(sparse, None), (full, SAMPLE_TRACKING_LINK), (staff, None)]
