"""`complaints simulate`: its output and its errors (tests/workflows/test_simulator_agrees.py
checks that the workflow really does the same)."""

import json

import pytest

from tests.support.cli import simulate


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = simulate(*args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_default_policy_prints_the_seed_ladder_in_local_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(
        capsys, "--country", "MX", "--opened", "2026-11-13T17:00:00-06:00", "--json"
    )
    assert code == 0
    rows = [(r["at"], r["level"], r["event"]) for r in json.loads(out)]
    assert rows == [
        ("2026-11-13T17:00:00-06:00", "L1", "opened"),
        ("2026-11-15T17:00:00-06:00", "L1", "breached"),
        ("2026-11-15T17:00:00-06:00", "L2", "escalated"),
        ("2026-11-16T17:00:00-06:00", "L2", "breached"),
        ("2026-11-16T17:00:00-06:00", "L3", "escalated"),
        ("2026-11-17T05:00:00-06:00", "L3", "breached"),
        ("2026-11-17T09:00:00-06:00", "L3", "realert"),
    ]


def test_business_days_pauses_and_a_rejection_in_the_delonghi_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(
        capsys,
        *("--brand", "delonghi-mx", "--country", "MX", "--opened", "2026-11-13T17:00:00-06:00"),
        *("--event", "2026-11-14T10:00:00-06:00 pause asked for photos"),
        *("--event", "2026-11-17T10:00:00-06:00 resume photos received"),
        *("--event", "2026-11-18T12:00:00-06:00 propose replacement unit"),
        *("--event", "2026-11-18T15:00:00-06:00 reject wants a refund"),
        "--json",
    )
    assert code == 0
    rows = [(r["at"], r["level"], r["event"]) for r in json.loads(out)]
    # 5 business days from Wed 18 Nov 15:00: Thu, Fri, Mon 23, Tue, Wed 25 Nov 15:00;
    # the 50 % warning is 22.5 working hours on: Wed 3 + Thu 9 + Fri 9 + Mon 1.5 = Mon 10:30.
    assert rows[5:11] == [
        ("2026-11-18T15:00:00-06:00", "L1", "rejected"),
        ("2026-11-18T15:00:00-06:00", "L2", "escalated"),
        ("2026-11-23T10:30:00-06:00", "L2", "warning"),
        ("2026-11-24T12:45:00-06:00", "L2", "warning"),
        ("2026-11-25T15:00:00-06:00", "L2", "breached"),
        ("2026-11-25T15:00:00-06:00", "L3", "escalated"),
    ]
    # 72 h elapsed, 17 h used before the pause: 50 % (36 h) 19 h after Tue 10:00.
    assert rows[3] == ("2026-11-18T05:00:00-06:00", "L1", "warning")


def test_a_rejection_at_the_top_prints_the_fresh_round(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 001: "it will be automatically escalated to the Office of the company's President.
    Customers can expect a response within 12 hours." A customer who rejects the President's
    office's resolution gets a fresh 12 hours there, and the timeline says so (issue 16, item
    14): before, the rejection was followed by nothing until the next breach."""
    code, out, _ = run_cli(
        capsys,
        *("--country", "MX", "--opened", "2026-11-13T17:00:00-06:00"),
        *("--event", "2026-11-16T18:00:00-06:00 propose replacement phone"),
        *("--event", "2026-11-16T19:00:00-06:00 reject still broken"),
        "--json",
    )
    assert code == 0
    rows = [(r["at"], r["level"], r["event"], r["reason"]) for r in json.loads(out)]
    assert rows[5:] == [
        ("2026-11-16T18:00:00-06:00", "L3", "proposed", None),
        ("2026-11-16T19:00:00-06:00", "L3", "rejected", "still broken"),
        (
            "2026-11-16T19:00:00-06:00",
            "L3",
            "new_round",
            "customer rejected the resolution: still broken; a fresh L3 window of 12h",
        ),
        ("2026-11-17T07:00:00-06:00", "L3", "breached", "L3 window of 12h ran out"),
        ("2026-11-17T11:00:00-06:00", "L3", "realert", "still unresolved after the deadline"),
    ]


def test_the_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--country", "IN", "--opened", "2026-11-13T17:00:00+05:30")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["at", "level", "event", "owner", "why", "/", "what"]
    assert lines[1].split()[:4] == ["2026-11-13T17:00:00+05:30", "L1", "opened", "grievance_desk"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--country",
                "MX",
                "--opened",
                "2026-11-13T17:00:00-06:00",
                "--event",
                "2026-11-14T10:00:00-06:00 dance",
            ],
            "unknown action 'dance'; known: pause, resume",
        ),
        (
            [
                "--country",
                "MX",
                "--opened",
                "2026-11-13T17:00:00-06:00",
                "--event",
                "2026-11-14T10:00:00 pause",
            ],
            "give the time with its offset",
        ),
        (
            ["--country", "MX", "--opened", "2026-11-13T17:00:00-06:00", "--brand", "acme"],
            "no policy for brand 'acme'",
        ),
        (
            ["--country", "MX", "--opened", "2026-11-13T17:00:00-06:00", "--case-type", "injury"],
            "has no playbook 'injury'",
        ),
        (
            [
                "--country",
                "MX",
                "--opened",
                "2026-11-13T17:00:00-06:00",
                "--event",
                "2026-11-14T10:00:00-06:00 accept",
            ],
            "cannot accept: no resolution is awaiting",
        ),
    ],
)
def test_mistakes_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err, err


def test_messages_prints_what_each_recipient_reads(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 15: reproduce a De'Longhi filing with a no-diagnosis case and read the
    messages: the service centre's request is Spanish throughout."""
    code, out, _ = run_cli(
        capsys,
        *("--brand", "delonghi-mx", "--country", "MX", "--opened", "2026-11-13T17:00:00-06:00"),
        *("--case-type", "no_diagnosis", "--field", "service_centre=SAT Norte"),
        *("--field", "service_order=SO-1", "--until", "2026-11-13T17:00:00-06:00", "--messages"),
    )
    assert code == 0
    request = out.split("case_request to service_centre (SAT Norte) [es-MX]\n")[1].split("---")[0]
    assert "se abrió el caso «El centro de servicio no ha dado diagnóstico»." in request
    assert "\nOrden de servicio: SO-1\n" in request
    assert "Se pidió respuesta a: el centro de servicio" in request
    assert "Motivo: queja nueva." in out
