"""The example complaint the API docs show: a De'Longhi Mexico complaint filed by phone."""

from pydantic.config import JsonDict

from domain.cases import EXAMPLE_CASE_FLAG
from domain.intake import EXAMPLE_INTAKE_WITH_CASE

_FILED = "2026-11-23T16:05:00Z"
_ENGINE_STEP: JsonDict = {
    "at": _FILED,
    "actor": {"role": "system", "name": "escalation engine"},
    "level": 1,
}
EXAMPLE_VIEW: JsonDict = {
    "id": "3f9c2a7be41d0c55",
    "status": "open",
    "level": 1,
    "level_name": "Agente de Servicio al Cliente",
    "owner_role": "agent",
    "assignee": {"sub": "priya", "name": "Priya"},
    "deadline": "2026-11-26T16:05:00Z",
    "sla_paused_remaining_seconds": None,
    "breached": False,
    "next_alert_at": None,
    "decision_due_at": None,
    "reopen_until": None,
    "opened_at": _FILED,
    "resolved_at": None,
    "pending_resolution": None,
    "contacts": 1,
    "handling": "frontline",
    "supervisor_requested_at": None,
    "cases": [
        {
            **EXAMPLE_CASE_FLAG,
            "title": "El centro de servicio no ha dado diagnóstico",
            "opened_at": _FILED,
            "asked": "service_centre",
            "answer_due": None,
            "answer": None,
            "outcome": None,
            "promise": "72 hours",
            "promise_due": "2026-11-26T16:05:00Z",
            "follow_ups": [],
            "scheduled": [],
            "escalations": [],
            "done_at": None,
        }
    ],
    "assessment": None,
    "accountability": None,
    "policy_name": "delonghi-mexico",
    "policy_version": "5eff762c8322",
    "intake": EXAMPLE_INTAKE_WITH_CASE,
    "history": [
        {
            **_ENGINE_STEP,
            "seq": 1,
            "kind": "opened",
            "reason": "filed via phone",
            "text": None,
            "case": None,
            "record": None,
            "internal": False,
            "assignee": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 2,
            "kind": "case_opened",
            "reason": "El centro de servicio no ha dado diagnóstico: Email the service centre for "
            "the unit's status and diagnosis; ask the customer to expect the centre's call; "
            "document the time given.",
            "text": "Unit at SAT Norte since 2 November.",
            "case": "no_diagnosis",
            "record": None,
            "internal": False,
            "assignee": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 3,
            "kind": "case_asked",
            "reason": "asked SAT Norte (service_centre) to answer",
            "text": None,
            "case": "no_diagnosis",
            "record": None,
            "internal": False,
            "assignee": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 4,
            "kind": "case_promised",
            "reason": "promised the customer 72 hours: by 2026-11-26T16:05:00+00:00",
            "text": None,
            "case": "no_diagnosis",
            "record": None,
            "internal": False,
            "assignee": None,
        },
        {
            "at": "2026-11-23T16:20:00Z",
            "actor": {"role": "agent", "name": "Priya"},
            "level": 1,
            "seq": 5,
            "kind": "assigned",
            "reason": "taken by Priya",
            "text": None,
            "case": None,
            "record": None,
            "internal": False,
            "assignee": {"sub": "priya", "name": "Priya"},
        },
    ],
}
"""A De'Longhi Mexico complaint as filed by phone, its playbook started at once; Priya took it."""
