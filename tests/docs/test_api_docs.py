"""docs/api.md's table of who may do what is made from the command registry.

Between its markers the table is generated; this test fails when it is stale. Regenerate it with
`UPDATE_DOCS=1 .venv/bin/pytest tests/docs/test_api_docs.py`.
"""

import os
from pathlib import Path

from domain.commands import ROUTES
from domain.history import ActorRole

DOC = Path(__file__).parents[2] / "docs" / "api.md"
BEGIN = (
    "<!-- generated from domain/commands.py: UPDATE_DOCS=1 pytest tests/docs/test_api_docs.py -->"
)
END = "<!-- end of the generated table -->"
COLUMNS = (ActorRole.CUSTOMER, ActorRole.AGENT, ActorRole.SUPERVISOR, ActorRole.ADMIN)


HEAD = """| route | customer | agent | supervisor | admin |
|---|---|---|---|---|
| `POST /complaints` (file) | for themselves | yes | yes | yes |
| `GET /complaints/{id}` | own | yes | yes | yes |"""
TAIL = """| `GET /complaints` (list and search) | own only | yes | yes | yes |
| `GET /analytics/complaints` | 403 | 403 | 403 | yes |
| `GET /health`, `GET /ready`, `/docs`, `/docs-assets/…`, `/openapi.json` | public | public | public | public |"""  # noqa: E501
"""The routes that are not actions on a complaint."""


def role_table() -> str:
    rows = [HEAD]
    for route in ROUTES:
        cells = []
        for role in COLUMNS:
            allowed = role in route.roles
            cells.append(("own" if role is ActorRole.CUSTOMER else "yes") if allowed else "403")
        what = route.name.replace("_", " ")
        rows.append(f"| `POST …/{route.path}` ({what}) | {' | '.join(cells)} |")
    return "\n".join([*rows, TAIL])


def test_the_role_table_in_the_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{DOC} lost the markers of its generated table"
    head, rest = text.split(BEGIN)
    tail = rest.split(END)[1]
    expected = f"{head}{BEGIN}\n{role_table()}\n{END}{tail}"
    if os.environ.get("UPDATE_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/api.md's role table is stale: run with UPDATE_DOCS=1"
