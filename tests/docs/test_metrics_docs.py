"""docs/operations.md's table of metrics names every `complaints_*` metric the code defines, and
no other."""

import re
from pathlib import Path
from types import ModuleType

from activities import crm_feed, notifications
from api import metrics as api_metrics
from workflows import metrics as workflow_metrics
from workflows import sealed

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
DEFINING: tuple[ModuleType, ...] = (workflow_metrics, notifications, api_metrics, sealed, crm_feed)
"""The modules that create complaints_* metrics (by a module-level name for each)."""
ROW = re.compile(r"^\| `([^|]+?)` \|")


def defined() -> set[str]:
    return {
        value
        for module in DEFINING
        for value in vars(module).values()
        if isinstance(value, str) and re.fullmatch(r"complaints_[a-z_]+", value)
    }


def documented() -> set[str]:
    section = OPERATIONS.read_text(encoding="utf-8").split("## Metrics and alerts")[1]
    rows = (ROW.match(line) for line in section.split("\n## ")[0].splitlines())
    return {name for row in rows if row for name in re.findall(r"complaints_[a-z_]+", row[1])}


def test_the_table_names_every_business_metric_and_no_other() -> None:
    assert len(defined()) >= 14
    assert documented() == defined()
