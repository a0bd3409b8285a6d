"""The playbooks' messages to the customer say what seed 003 tells agents to tell them
(issue 16, item 7), in Spanish and in English."""

import pytest

from domain.complaint import Complaint
from domain.delivery import message_facts
from domain.messages import NotificationKind
from harness.every_message import playbook_complaints
from tests.domain.test_messages_in_every_language import TEMPLATES

MEXICO = "America/Mexico_City"
CENTRE = {"service_centre": "SAT Norte", "service_order": "SO-1"}


def _case_promise(case_type: str, fields: dict[str, str], events: list[str]) -> Complaint:
    (complaint,) = playbook_complaints([(case_type, fields, events)])
    return complaint


def _promise_text(complaint: Complaint, locale: str) -> str:
    owed = next(o for o in complaint.outbox if o.kind is NotificationKind.CASE_PROMISE)
    message = TEMPLATES.render("delonghi-mx", locale, owed, message_facts(complaint, owed), MEXICO)
    return message.body


def test_no_diagnosis_tells_the_customer_the_centre_will_call() -> None:
    """Seed 003, 1.2: "Solicitar al cliente un tiempo de resolución de 72 horas y solicitarle
    que este pendiente a recibir una llamada ya que así es como por lo general el centro de
    servicio se comunica con los clientes." """
    complaint = _case_promise("no_diagnosis", CENTRE, [])
    spanish = _promise_text(complaint, "es-MX")
    assert (
        "Le pedimos estar pendiente de recibir una llamada, ya que así es como por lo general "
        "el centro de servicio se comunica con los clientes." in spanish
    )
    assert "en un plazo de 72 horas" in spanish
    english = _promise_text(complaint, "en-IN")
    assert (
        "Please be ready to receive a call: that is how the service centre usually "
        "contacts customers." in english
    )


def test_parts_unavailable_tells_the_customer_the_parts_come_from_italy() -> None:
    """Seed 003, 2.1: "Notificar al cliente que procederemos a escalar el caso con un
    departamento de resoluciones, solicitando un tiempo de espera de 15 a 20 días. Comentando
    que las piezas proceden desde Italia y que hay momento de recibirlas luego se redistribuyen
    entre centros de servicios por eso requerimos ese tiempo." """
    complaint = _case_promise("parts_unavailable", {**CENTRE, "part": "bomba"}, [])
    spanish = _promise_text(complaint, "es-MX")
    assert "Procederemos a escalar su caso con un departamento de resoluciones." in spanish
    assert (
        "Las piezas proceden de Italia y, al momento de recibirlas, se redistribuyen entre los "
        "centros de servicio; por eso requerimos este tiempo." in spanish
    )
    assert "en un plazo de 15-20 días" in spanish
    english = _promise_text(complaint, "en-IN")
    assert (
        "The parts come from Italy and, once they arrive, are redistributed among the "
        "service centres" in english
    )


def test_profeco_tells_the_customer_the_case_goes_to_a_higher_department() -> None:
    """Seed 003, 9.2-3: "escala el caso con tu supervisor e indica al cliente que el caso se
    escalara a un departamento mayor. Solicita un tiempo de espera de 72 horas." """
    events = [
        "2026-11-24T10:00:00-06:00 propose refund",
        "2026-11-24T11:00:00-06:00 reject Profeco",
    ]
    complaint = _case_promise("legal_threat", {}, events)
    spanish = _promise_text(complaint, "es-MX")
    assert "Su caso se escalará a un departamento mayor." in spanish
    assert "en un plazo de 72 horas" in spanish
    assert "Your case is being escalated to a higher department." in _promise_text(
        complaint, "en-IN"
    )


@pytest.mark.parametrize(
    ("case_type", "fields", "said"),
    [
        ("no_return_label", CENTRE, "Procederemos a escalar su caso con un departamento de"),
        ("discontinued_model", {"service_order": "SO-1"}, "Procederemos a escalar su caso con"),
        (
            "return_letter_not_received",
            {"requested_on": "2026-11-20"},
            "Su caso se encuentra dentro del tiempo de espera de resolución.",
        ),
    ],
)
def test_the_other_promises_say_the_seeds_words_too(
    case_type: str, fields: dict[str, str], said: str
) -> None:
    """Seed 003, 3.1 and 7.1: "Notificar al cliente que procederemos a escalar el caso con un
    departamento de resoluciones"; 6.2: "informar al cliente que se encuentra dentro del tiempo
    de espera de resolución"."""
    assert said in _promise_text(_case_promise(case_type, fields, []), "es-MX")
