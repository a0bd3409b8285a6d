"""How the policy reaches people: role contacts, languages, channel fallback and quiet hours."""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from domain.durations import Duration
from domain.intake import PhoneNumber
from domain.messages import ADDRESS_FIELDS, DeliveryChannel
from domain.playbooks import RoleName


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
    staff_texts_at_most_every: Duration | None = Field(
        default=Duration.model_validate("15 minutes"),
        description="Text messages to one staff role about one complaint go at most this often; "
        "the others are recorded as skipped (their email, if any, still goes); null sends each",
    )

    @field_validator("locales")
    @classmethod
    def _has_default(cls, value: dict[str, str]) -> dict[str, str]:
        if "default" not in value:
            raise ValueError("give a `default` locale for countries not listed, e.g. en-IN")
        return value

    def locale_for(self, country: str) -> str:
        return self.locales.get(country) or self.locales["default"]
