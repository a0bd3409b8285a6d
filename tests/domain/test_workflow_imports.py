"""The workflow sandbox loads the domain, workflow ids and the activities' models, nothing with
I/O: no SMTP, apprise, templates, settings, web framework or holiday data."""

import subprocess
import sys

IO_PACKAGES = (
    "aiosmtplib",
    "apprise",
    "babel",
    "fastapi",
    "holidays",
    "jinja2",
    "pydantic_settings",
    "sqlite3",
    "yaml",
    "activities.notifications",
    "api",
)
PROBE = """
import sys
import workflows.complaint, workflows.matter
print("\\n".join(sorted(sys.modules)))
"""


def test_the_workflows_import_no_io_library() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    found = [name for name in loaded if name.split(".")[0] in IO_PACKAGES or name in IO_PACKAGES]
    assert found == []
    ours = {name.split(".")[0] for name in loaded} & {"domain", "workflows", "activities"}
    assert ours == {"domain", "workflows", "activities"}
    assert [n for n in loaded if n.startswith("activities.")] == ["activities.models"]
