"""A company's escalation policy as data: the ladder of levels and every timing around it.

Its parts have their own modules: contacts and notifications (`domain.notification_policy`),
country calendars (`domain.country_calendars`) and playbooks (`domain.playbooks`).
"""

import hashlib
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    field_validator,
    model_validator,
)

from domain.country_calendars import DEFAULT_CALENDAR, CountryCalendar
from domain.durations import Duration, DurationKind
from domain.notification_policy import Contacts, Notifications
from domain.playbooks import HandlingTier, Playbook, RoleName

OTHER_REASON = "other"
"""How a reason outside the policy's categories is searched and counted."""


def _folded(name: str) -> str:
    """How names compare: case and spacing do not count."""
    return " ".join(name.split()).casefold()


class Level(BaseModel):
    """One rung of the escalation ladder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: PositiveInt
    name: str = Field(min_length=1)
    owner_role: RoleName
    contacts: Contacts
    resolution_window: Duration
    window_source: str | None = Field(
        default=None,
        max_length=300,
        description="Where the window comes from: a seed's words, or the brand's own choice "
        "(printed in the docs; like a comment, not part of the policy's version)",
    )

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


class TierThresholds(BaseModel):
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

    def __str__(self) -> str:
        return f"{self.specialists}/{self.team_leader}/{self.third_level}"


HIGH_FREQUENCY = TierThresholds(specialists=3, team_leader=4, third_level=5)
"""Seed 004's high-frequency variant: "alta frecuencia 3 veces ... 4 veces ... 5 quejas"."""


class RepeatThresholds(TierThresholds):
    """The usual tiers, and how far apart a customer's own contacts must be to count."""

    customer_contacts_count_once_per: Duration | None = Field(
        default=Duration.model_validate("1 hour"),
        description="A customer's own contacts closer together than this (the filing included) "
        "are recorded but count once: seed 004 counts contacts, not clicks; null counts each",
    )


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
    high_frequency_thresholds: TierThresholds = Field(
        default=HIGH_FREQUENCY,
        description="The tiers of a complaint staff mark high-frequency (seed 004's variant, "
        "3/4/5 by default): `POST /complaints/{id}/high-frequency`; customers cannot",
    )
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
    known_models: tuple[str, ...] = Field(
        default=(),
        description="Product models the Temporal Web UI may name, in this spelling, when a filed "
        "product matches one (case and spacing aside); any other product is free text that may "
        "hold personal data and is not shown",
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
            if key != DEFAULT_CALENDAR and not (len(key) == 2 and key.isupper()):
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
        folded = [_folded(category) for category in value]
        if len(set(folded)) != len(folded) or OTHER_REASON in folded:
            raise ValueError(f"reason categories must be distinct and not {OTHER_REASON!r}")
        if any(not category or '"' in category or "\\" in category for category in folded):
            raise ValueError('a reason category is a non-empty name without " or \\')
        return value

    @field_validator("known_models")
    @classmethod
    def _distinct_models(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        folded = [_folded(model) for model in value]
        if "" in folded or len(set(folded)) != len(folded):
            raise ValueError("known models must be distinct, non-empty names")
        return value

    def reason_category(self, reason: str) -> str:
        """The category `reason` is searched and counted as: its own name, or `other`."""
        wanted = _folded(reason)
        return next((c for c in self.reason_categories if _folded(c) == wanted), OTHER_REASON)

    def known_model(self, product: str) -> str | None:
        """`product` in the policy's spelling if it is a known model; None for free text."""
        wanted = _folded(product)
        return next((m for m in self.known_models if _folded(m) == wanted), None)

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
        return self.calendars.get(country) or self.calendars.get(DEFAULT_CALENDAR)

    def content_hash(self) -> str:
        """A short hash of everything but the version fields: equal content, equal version."""
        documentation = {"levels": {"__all__": {"window_source"}}}
        canonical = self.model_dump_json(
            exclude={"version": True, "version_name": True, **documentation}
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]
