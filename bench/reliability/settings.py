"""What the suite runs against: its policy, rate limits, caller and lateness target."""

from datetime import timedelta
from pathlib import Path

from harness.credentials import bearer

ROOT = Path(__file__).resolve().parents[2]
BRAND = "fault-fast"
WINDOW_SECONDS = 6
POLICY = f"""\
name: {BRAND}
levels:
  - name: Desk
    owner_role: desk
    contacts: {{email: desk@example.com}}
    resolution_window: {WINDOW_SECONDS}s
  - name: Supervisor
    owner_role: supervisor
    contacts: {{email: supervisor@example.com}}
    resolution_window: {WINDOW_SECONDS}s
realert_interval: 1h
customer_decision_window: 1 day
reopen_window: 1 day
"""
"""Two 6-second levels; the top level's breach alerts once (the next re-alert is an hour away)."""
LONG_BRAND = "fault-long"
LONG_POLICY = f"""\
name: {LONG_BRAND}
levels:
  - name: Desk
    owner_role: desk
    contacts: {{email: desk@example.com}}
    resolution_window: 2h
  - name: Supervisor
    owner_role: supervisor
    contacts: {{email: supervisor@example.com}}
    resolution_window: 2h
realert_interval: 1h
customer_decision_window: 1 day
reopen_window: 1 day
"""
"""For the complaint with thousands of steps: its deadline stays put while notes pile up."""
SMS_GATEWAY = "mailto:{phone}@sms.localhost"
"""Texts as emails to the SMTP sink, as `make run` sends them (the Procfile's worker)."""
LATE_ALLOWANCE = 10.0
"""Target: every email no later than its due time plus the outage plus this."""
RATE_LIMITS = {
    "ENABLED": "true",
    "FILING": "10/minute;100/hour",
    "ACTIONS": "60/minute;1000/hour",
    "STAFF": "100000/minute",
    "PER_ADDRESS": "100000/minute",
    "FAILED_AUTH": "60/minute",
}
"""Set explicitly (issue 17): the bench files as one staff member, well under its limits."""
STAFF = bearer("admin", "reliability-bench", ttl=timedelta(hours=6))
FINDINGS = "<!-- findings: kept when the tables are written again -->"
SCENARIOS = (
    "baseline",
    "worker-kill",
    "two-workers",
    "smtp-down",
    "server-kill",
    "idempotency",
    "poison",
    "bad-deploy",
    "long-history",
    "no-smtputf8",
)
