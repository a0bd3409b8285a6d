"""A company's escalation policy as data: levels, timings, calendars, playbooks, repeat rules."""

import hashlib
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PositiveInt,
    field_validator,
    model_validator,
)

from domain.durations import Duration, DurationKind
from domain.intake import PhoneNumber
from domain.messages import ADDRESS_FIELDS, DeliveryChannel
from domain.playbooks import HandlingTier, Playbook, RoleName

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OTHER_REASON = "other"
"""How a reason outside the policy's categories is searched and counted."""


def _apprise_url(value: str) -> str:
    scheme, separator, rest = value.partition("://")
    if not (separator and scheme.isascii() and scheme.replace("+", "").isalnum() and rest):
        raise ValueError(f"{value!r} is not a channel URL such as json://host/path or slack://...")
    return value


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name like 'Asia/Kolkata'"
        ) from None
    return value


Zone = Annotated[str, AfterValidator(_known_zone)]


class Contacts(BaseModel):
    """How to reach a role: email always; a phone for text messages, a webhook for chat."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: EmailStr
    phone: PhoneNumber | None = None
    webhook: Annotated[str, AfterValidator(_apprise_url)] | None = Field(
        default=None, description="An apprise URL (slack://, msteams://, json://...)"
    )
    locale: str | None = Field(default=None, description="e.g. es-MX; else the complaint's")
    timezone: Zone | None = Field(default=None, description="IANA zone; else the complaint's")

    def reaches(self, channel: DeliveryChannel) -> bool:
        return getattr(self, ADDRESS_FIELDS[channel]) is not None


class QuietHours(BaseModel):
    """When a role must not be disturbed on some channels, in its local time (22:00-07:00)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: time = Field(alias="from")
    end: time = Field(alias="to")
    channels: tuple[DeliveryChannel, ...] = (DeliveryChannel.SMS,)
    then: Literal["wait", "on_call"] = Field(
        default="wait", description="Hold the message until the end, or send it to `on_call`"
    )
    on_call: Contacts | None = None
    timezone: Zone | None = Field(default=None, description="Else the complaint's zone")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        if self.then == "on_call" and self.on_call is None:
            raise ValueError("`then: on_call` needs an `on_call` contact")
        if self.on_call is not None:
            unreachable = [c.value for c in self.channels if not self.on_call.reaches(c)]
            if unreachable:
                raise ValueError(f"the on-call contact needs an address for {unreachable}")
        return self

    def release_at(self, moment: datetime, zone_name: str) -> datetime | None:
        """The end of the quiet period `moment` falls in (local time of `zone_name`), or None."""
        zone = ZoneInfo(self.timezone or zone_name)
        clock = moment.astimezone(zone).time().replace(tzinfo=None)
        overnight = self.start > self.end
        if overnight:
            quiet = clock >= self.start or clock < self.end
        else:
            quiet = self.start <= clock < self.end
        if not quiet:
            return None
        # The first moment after `moment` when the local clock shows `end` (DST-proof: both
        # folds of the days around it are candidates).
        day = moment.astimezone(zone).date()
        candidates = (
            datetime.combine(day + timedelta(days=offset), self.end, tzinfo=zone).replace(fold=fold)
            for offset in (0, 1, 2)
            for fold in (0, 1)
        )
        return min(c.astimezone(UTC) for c in candidates if c.astimezone(UTC) > moment)


class Notifications(BaseModel):
    """How messages travel: languages, channel fallback, quiet hours per role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locales: dict[str, str] = Field(
        default_factory=lambda: {"default": "en-IN"},
        description="Language per country code (`default` for the others), e.g. MX: es-MX",
    )
    fallback: dict[DeliveryChannel, DeliveryChannel] = Field(
        default_factory=lambda: {DeliveryChannel.EMAIL: DeliveryChannel.SMS},
        description="When a channel fails for good (or the recipient has no address on it), "
        "try this one",
    )
    quiet_hours: dict[RoleName, QuietHours] = Field(default_factory=dict)
    send_timeout: Duration = Field(
        default=Duration.model_validate("1 minute"),
        description="How long one attempt to send may take before it is retried",
    )

    @field_validator("locales")
    @classmethod
    def _has_default(cls, value: dict[str, str]) -> dict[str, str]:
        if "default" not in value:
            raise ValueError("give a `default` locale for countries not listed, e.g. en-IN")
        return value

    def locale_for(self, country: str) -> str:
        return self.locales.get(country) or self.locales["default"]


class Level(BaseModel):
    """One rung of the escalation ladder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: PositiveInt
    name: str = Field(min_length=1)
    owner_role: RoleName
    contacts: Contacts
    resolution_window: Duration

    @model_validator(mode="before")
    @classmethod
    def _accept_v1_contact_email(cls, data: Any) -> Any:
        # Complaints started before policy files carry `contact_email`; they must still load.
        if isinstance(data, dict) and "contact_email" in data:
            data = {**data, "contacts": {"email": data["contact_email"]}}
            del data["contact_email"]
        return data

    @property
    def code(self) -> str:
        """Short name used in timelines and search: L1, L2, ..."""
        return f"L{self.number}"


def _day_index(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower()[:3] in _DAYS:
        return _DAYS.index(value.strip().lower()[:3])
    return value


class CountryCalendar(BaseModel):
    """Working days and hours of a country, in its time zone; public holidays come from its code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(min_length=1, description="IANA zone, e.g. America/Mexico_City")
    working_days: tuple[Annotated[int, BeforeValidator(_day_index), Field(ge=0, le=6)], ...] = (
        0,
        1,
        2,
        3,
        4,
    )
    hours: tuple[time, time] = (time(9, 0), time(18, 0))
    holidays_from: str | None = Field(
        default=None,
        description="Country code whose public holidays apply (default: the calendar's own key)",
    )
    subdivision: str | None = Field(default=None, description="State or province for holidays")

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            start, _, end = value.partition("-")
            return (start.strip(), end.strip())
        return value

    @model_validator(mode="after")
    def _sensible(self) -> Self:
        if not self.working_days:
            raise ValueError("give at least one working day")
        if self.hours[0] >= self.hours[1]:
            raise ValueError(f"working hours must start before they end, got {self.hours}")
        return self


class RepeatThresholds(BaseModel):
    """Contacts about the same matter that move a complaint up (seed 004)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specialists: PositiveInt = 2
    team_leader: PositiveInt = 3
    third_level: PositiveInt = 4

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        if not self.specialists < self.team_leader < self.third_level:
            raise ValueError("thresholds must increase: specialists < team_leader < third_level")
        return self

    def tier_for(self, contacts: int) -> HandlingTier:
        """Who handles a complaint after `contacts` contacts about the same matter."""
        if contacts >= self.third_level:
            return HandlingTier.THIRD_LEVEL
        if contacts >= self.team_leader:
            return HandlingTier.TEAM_LEADER
        if contacts >= self.specialists:
            return HandlingTier.SPECIALISTS
        return HandlingTier.FRONTLINE


class SupervisorCall(BaseModel):
    """A customer on the phone asks for a supervisor (seed 003)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    refresh_hold_every: Duration = Field(
        default=Duration.model_validate("2.5 minutes"),
        description="Remind the agent to refresh the customer's hold this often",
    )
    give_up_after: Duration = Field(
        default=Duration.model_validate("30 minutes"),
        description="Stop reminding and tell the supervisor they missed the call",
    )


def _fraction(value: Any) -> Any:
    if isinstance(value, str) and value.strip().endswith("%"):
        return float(value.strip()[:-1]) / 100
    return value


Fraction = Annotated[float, BeforeValidator(_fraction), Field(gt=0, lt=1)]


class EscalationPolicy(BaseModel):
    """How a complaint climbs: its levels and every timing around them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="default", min_length=1)
    version_name: str | None = Field(default=None, description="Optional human label")
    brand_name: str | None = Field(
        default=None, description="How messages name the company, e.g. De'Longhi"
    )
    version: str = Field(default="", description="Content hash, set when the file is loaded")
    levels: tuple[Level, ...] = Field(min_length=1)
    warnings: tuple[Fraction, ...] = Field(
        default=(), description="Remind the owner when this share of a window has passed"
    )
    realert_interval: Duration = Field(
        description="How often the last level is alerted again after its breach"
    )
    customer_decision_window: Duration = Field(
        description="How long a proposed resolution waits for the customer before it stands"
    )
    decision_reminder_after: Duration | None = Field(
        default=None,
        description="Remind the customer and the owner of an unanswered resolution this long "
        "after it was offered (before the decision window lets it stand)",
    )
    reopen_window: Duration = Field(description="How long a resolved complaint can be reopened")
    calendars: dict[str, CountryCalendar] = Field(
        default_factory=dict, description="Per country code; `default` for the others"
    )
    playbooks: dict[str, Playbook] = Field(default_factory=dict)
    repeat_thresholds: RepeatThresholds = RepeatThresholds()
    repeat_window: Duration = Field(
        default=Duration.model_validate("30 days"),
        description="A filing about the same matter this soon after the last one is a repeat",
    )
    supervisor_call: SupervisorCall = SupervisorCall()
    reason_categories: tuple[str, ...] = Field(
        default=(),
        description="Reasons searched and counted by name (search attribute `Reason`); any other "
        "reason, free text that may hold personal data, is indexed as `other`",
    )
    approval_tiers: tuple[HandlingTier, ...] = Field(
        default=(HandlingTier.TEAM_LEADER,),
        description="Where a proposed reply needs the team leader's approval first (seed 004)",
    )
    roles: dict[RoleName, Contacts] = Field(
        default_factory=dict,
        description="Contacts of roles outside the ladder: supervisor, complaint_specialists, ...",
    )
    notifications: Notifications = Notifications()
    directory: dict[RoleName, dict[str, Contacts]] = Field(
        default_factory=dict,
        description="Named contacts of a role (service centres, retailers): a case field of the "
        "role's name picks one; otherwise the role's own contacts apply",
    )

    @model_validator(mode="before")
    @classmethod
    def _number_levels_in_order(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("levels"), list | tuple):
            data = dict(data)
            data["levels"] = [
                {"number": index, **level} if isinstance(level, dict) else level
                for index, level in enumerate(data["levels"], start=1)
            ]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        numbers = [level.number for level in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"levels must be numbered 1, 2, 3, ... in order; got {numbers}")
        if sorted(set(self.warnings)) != list(self.warnings):
            raise ValueError("warnings must be increasing and distinct, e.g. [50%, 75%]")
        for key in self.calendars:
            if key != "default" and not (len(key) == 2 and key.isupper()):
                raise ValueError(
                    f"calendar key {key!r} must be a country code like MX or 'default'"
                )
        if self.uses_business_time and not self.calendars:
            raise ValueError("business durations need at least one calendar (or `default`)")
        reminder, window = self.decision_reminder_after, self.customer_decision_window
        if reminder and reminder.kind == window.kind and reminder.length >= window.length:
            raise ValueError(
                f"decision_reminder_after ({reminder}) must be shorter than "
                f"customer_decision_window ({window})"
            )
        for case_type, playbook in self.playbooks.items():
            unknown = playbook.roles - set(self.roles) - set(self.directory)
            if unknown:
                raise ValueError(
                    f"playbook {case_type!r} names roles without contacts: {sorted(unknown)}; "
                    "add them under `roles` or `directory`"
                )
        return self

    @field_validator("reason_categories")
    @classmethod
    def _distinct_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        folded = [" ".join(category.split()).casefold() for category in value]
        if len(set(folded)) != len(folded) or OTHER_REASON in folded:
            raise ValueError(f"reason categories must be distinct and not {OTHER_REASON!r}")
        if any(not category or '"' in category or "\\" in category for category in folded):
            raise ValueError('a reason category is a non-empty name without " or \\')
        return value

    def reason_category(self, reason: str) -> str:
        """The category `reason` is searched and counted as: its own name, or `other`."""
        wanted = " ".join(reason.split()).casefold()
        return next(
            (c for c in self.reason_categories if " ".join(c.split()).casefold() == wanted),
            OTHER_REASON,
        )

    @property
    def top(self) -> int:
        """Number of the last level, where breaches re-alert instead of escalating."""
        return len(self.levels)

    @property
    def uses_business_time(self) -> bool:
        """Whether any timing of the ladder counts business time."""
        timings = [level.resolution_window for level in self.levels] + [
            self.realert_interval,
            self.customer_decision_window,
            self.reopen_window,
            *filter(None, [self.decision_reminder_after]),
            *(duration for playbook in self.playbooks.values() for duration in playbook.durations),
        ]
        return any(timing.kind is not DurationKind.ELAPSED for timing in timings)

    @property
    def locales_used(self) -> set[str]:
        """Every language a message of this policy can be written in."""
        contacts = [level.contacts for level in self.levels] + list(self.roles.values())
        contacts += [entry for entries in self.directory.values() for entry in entries.values()]
        contacts += [
            rule.on_call for rule in self.notifications.quiet_hours.values() if rule.on_call
        ]
        return set(self.notifications.locales.values()) | {
            contact.locale for contact in contacts if contact.locale
        }

    def level(self, number: int) -> Level:
        """The level with this number (1-based)."""
        return self.levels[number - 1]

    def calendar_for(self, country: str) -> CountryCalendar | None:
        """The calendar business time runs in for `country`, if the policy has one."""
        return self.calendars.get(country) or self.calendars.get("default")

    def content_hash(self) -> str:
        """A short hash of everything but the version fields: equal content, equal version."""
        canonical = self.model_dump_json(exclude={"version", "version_name"})
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]
