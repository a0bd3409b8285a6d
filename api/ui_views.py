"""Ready-made Web UI views: the visibility queries docs/operations.md lists as links.

The UI's filter takes literal timestamps, so a view about time holds `{now}` and `{due_by}`,
filled in when its link is made (`complaints ui-links` prints every link for now). A test runs
each query against a dev server.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

DEV_UI = "http://127.0.0.1:8233"
"""The Web UI of `make run`."""
DUE_WITHIN = timedelta(hours=4)
COLUMNS = ("Deadline", "ComplaintLevel", "OwnerRole", "Breached", "Country", "Reason")
"""Search attributes to add in the UI's column picker, in this order."""


@dataclass(frozen=True)
class View:
    name: str
    query: str

    def at(self, now: datetime) -> str:
        """The query with `{now}` and `{due_by}` filled in (UTC, to the second)."""
        return self.query.format(now=_stamp(now), due_by=_stamp(now + DUE_WITHIN))

    def link(self, now: datetime, ui: str = DEV_UI, namespace: str = "default") -> str:
        """The UI's workflow list filtered by this view."""
        query = quote(self.at(now), safe="")
        return f"{ui.rstrip('/')}/namespaces/{quote(namespace, safe='')}/workflows?query={query}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


BREACHED_AT_L3 = View(
    "Breached at L3", "ComplaintLevel = 3 AND Breached = true AND ExecutionStatus = 'Running'"
)
DUE_SOON = View(
    "Due in the next 4 hours",
    "Deadline BETWEEN '{now}' AND '{due_by}' AND ExecutionStatus = 'Running'",
)
PAUSED = View("Paused", "ComplaintStatus = 'paused' AND ExecutionStatus = 'Running'")
AT_SERVICE_CENTRE = View(
    "Open at one service centre", "ServiceCentre = 'SAT Norte' AND ExecutionStatus = 'Running'"
)
VIEWS = (BREACHED_AT_L3, DUE_SOON, PAUSED, AT_SERVICE_CENTRE)
