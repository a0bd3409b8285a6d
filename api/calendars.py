"""A complaint's business calendar with its country's public holidays (the `holidays` package).

Resolved at intake, outside workflow code (the package cannot load in the workflow sandbox), and
carried by the complaint for its whole life, like its policy.
"""

from datetime import date

import holidays as public_holidays

from domain.calendar import BusinessCalendar
from domain.country_calendars import DEFAULT_CALENDAR
from domain.policy import EscalationPolicy

YEARS_AHEAD = 2
"""Holidays are known for the opening year and this many after it."""


class NoCalendar(ValueError):
    """The policy counts business time but has no calendar for the complaint's country."""


def business_calendar_for(
    policy: EscalationPolicy, country: str, opened: date
) -> BusinessCalendar | None:
    """The calendar business time runs in for a complaint from `country` opened on `opened`."""
    entry = policy.calendar_for(country)
    if entry is None:
        if policy.uses_business_time:
            known = ", ".join(sorted(policy.calendars)) or "none"
            raise NoCalendar(
                f"policy {policy.name!r} counts business time but has no calendar for {country} "
                f"(calendars: {known}); add one or a `default` calendar"
            )
        return None
    holiday_country = entry.holiday_country(
        country if country in policy.calendars else DEFAULT_CALENDAR
    )
    days: frozenset[date] = frozenset()
    if holiday_country:
        years = range(opened.year, opened.year + YEARS_AHEAD + 1)
        found = public_holidays.country_holidays(
            holiday_country, subdiv=entry.subdivision, years=years
        )
        days = frozenset(found.keys())
    return BusinessCalendar(
        timezone=entry.timezone,
        working_days=frozenset(entry.working_days),
        day_start=entry.hours[0],
        day_end=entry.hours[1],
        holidays=days,
    )
