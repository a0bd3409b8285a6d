"""docs/operations.md's ready-made views are made from api/ui_views.py (which a test runs on a
dev server, tests/ui/test_ui_views.py), and the pictures it shows exist.

Between its markers the table is generated; this test fails when it is stale. Regenerate it with
`UPDATE_DOCS=1 .venv/bin/pytest tests/docs/test_ui_views_docs.py`.
"""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from api.ui_views import COLUMNS, DUE_SOON, DUE_WITHIN, VIEWS

DOC = Path(__file__).parents[2] / "docs" / "operations.md"
BEGIN = (
    "<!-- generated from api/ui_views.py: UPDATE_DOCS=1 pytest tests/docs/test_ui_views_docs.py -->"
)
END = "<!-- end of the generated views -->"
EXAMPLE_NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
"""The moment the links of views about time are written for (the doc says how to change it)."""


def views_table() -> str:
    rows = ["| view | visibility query | link (the UI of `make run`) |", "|---|---|---|"]
    rows += [
        f"| {view.name} | `{view.at(EXAMPLE_NOW)}` | [open]({view.link(EXAMPLE_NOW)}) |"
        for view in VIEWS
    ]
    columns = ", ".join(f"`{column}`" for column in COLUMNS)
    until = EXAMPLE_NOW + DUE_WITHIN
    return "\n".join(
        [
            *rows,
            "",
            f"*{DUE_SOON.name}* is written for {EXAMPLE_NOW:%Y-%m-%d %H:%M} UTC, up to "
            f"{until:%H:%M}: below, how to get it for the moment.",
            "",
            f"Columns to add with the list's **Configure Columns** button: {columns}.",
        ]
    )


def test_the_views_in_the_docs_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{DOC} lost the markers of its generated views"
    head, rest = text.split(BEGIN)
    tail = rest.split(END)[1]
    expected = f"{head}{BEGIN}\n{views_table()}\n{END}{tail}"
    if os.environ.get("UPDATE_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/operations.md's views are stale: run with UPDATE_DOCS=1"


def test_the_pictures_the_docs_show_exist() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\((img/[^)]+)\)", DOC.read_text(encoding="utf-8"))
    assert pictures, "docs/operations.md shows no picture of the Web UI"
    assert [p for p in pictures if not (DOC.parent / p).is_file()] == []
