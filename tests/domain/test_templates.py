"""Message templates: files per kind and language, checked when the policy loads."""

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.messages import MessageFacts, Notification, NotificationKind, Recipient
from domain.policy_files import PolicyError, load_policy_set, load_templates
from domain.templates import TemplateCatalog, TemplateProblem, translate_legacy
from harness.samples import POLICY_DIR

TEMPLATES = load_templates(POLICY_DIR)
DEADLINE = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
LUCIA = Recipient(role="customer", name="Lucía Hernández", email="lucia@example.mx")
FACTS = MessageFacts(
    complaint_id="c1",
    customer_name="Lucía Hernández",
    product="Dedica EC685",
    reason="Sin diagnóstico",
    level_name="Agente de Servicio al Cliente",
    brand="De'Longhi",
    agent_name="Mariana López",
)


def message(kind: NotificationKind, **fields: Any) -> Notification:
    return Notification(step=1, kind=kind, recipient=LUCIA, level=1, deadline=DEADLINE, **fields)


def test_the_seed_injury_template_is_filled_in_as_written() -> None:
    rendered = TEMPLATES.render(
        "delonghi-mx",
        "es-MX",
        message(NotificationKind.INJURY_CLAIM, promise="3-5 business days"),
        FACTS,
        "America/Mexico_City",
    )
    assert rendered.template == "delonghi-mx/es-MX/injury_claim"
    assert rendered.body.startswith("Estimado Lucía Hernández\n")
    assert "Gracias por su reciente comunicación a servicio al cliente De'Longhi." in rendered.body
    assert "le solicitamos atentamente\u00a0NO DESECHAR\u00a0el producto" in rendered.body
    assert "Cordialmente,\n\n\nMariana\n\nDe'Longhi Group Customer Care" in rendered.body
    assert "#" not in rendered.body


def test_dates_and_promises_are_in_the_recipients_language_and_zone() -> None:
    promise = message(NotificationKind.CASE_PROMISE, promise="15-20 days")
    spanish = TEMPLATES.render("default", "es-MX", promise, FACTS, "America/Mexico_City")
    assert "en un plazo de 15-20 días" in spanish.body
    assert "jueves, 19 de noviembre de 2026, 10:00" in spanish.body  # 16:00 UTC in CDMX
    english = TEMPLATES.render("default", "en-IN", promise, FACTS, "Asia/Kolkata")
    assert "within 15-20 days" in english.body
    assert "Thursday, 19 November 2026, 9:30" in english.body  # 16:00 UTC in India
    assert "India Standard Time" in english.body


@pytest.mark.parametrize(
    ("written", "spanish", "english"),
    [
        ("72h", "72 horas", "72 hours"),
        ("5 business days", "5 días hábiles", "5 business days"),
        ("3-5 business days", "3-5 días hábiles", "3-5 business days"),
        ("2 weeks", "2 semanas", "2 weeks"),
        ("PT48H", "PT48H", "PT48H"),
    ],
)
def test_promised_spans_are_translated(written: str, spanish: str, english: str) -> None:
    promise = message(NotificationKind.CASE_PROMISE, promise=written)
    assert spanish in TEMPLATES.render("default", "es-MX", promise, FACTS, "UTC").body
    assert english in TEMPLATES.render("default", "en-IN", promise, FACTS, "UTC").body


def test_a_text_message_is_short_and_says_what_to_do() -> None:
    rendered = TEMPLATES.render(
        "default",
        "en-IN",
        message(NotificationKind.SUPERVISOR_REQUESTED, reason="wants a refund"),
        FACTS,
        "UTC",
    )
    assert rendered.sms.startswith("URGENT: Lucía Hernández (complaint c1) is on hold")
    assert len(rendered.sms) < 160


def test_legacy_placeholders_become_variables_and_unknown_ones_are_refused() -> None:
    assert translate_legacy("Hola #CUSTOMER# de #BRAND#", "t") == (
        "Hola {{ customer_name }} de {{ brand }}"
    )
    with pytest.raises(TemplateProblem, match=r"t: unknown placeholder #CLIENTE#; known: #CUST"):
        translate_legacy("Hola #CLIENTE#", "t")


def broken_policy_dir(tmp_path: Path, file: str, text: str | None) -> Path:
    copy = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, copy)
    target = copy / "templates" / file
    if text is None:
        target.unlink()
    else:
        target.write_text(text, encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("file", "text", "problem"),
    [
        (
            "delonghi-mx/es-MX/injury_claim.txt",
            "Subject: x\n\nEstimado #CLIENTE#",
            r"injury_claim.txt: unknown placeholder #CLIENTE#",
        ),
        (
            "default/es-MX/resolved.txt",
            None,
            r"policy 'default': .*no template for 'resolved' in 'es-MX'",
        ),
        (
            "default/en-IN/assigned.txt",
            "Subject: {{ complaint_id }}\n\nDear {{ custmer_name }}",
            r"default/en-IN/assigned.txt: 'custmer_name' is undefined",
        ),
        ("default/en-IN/assigned.txt", "Subject: x\n\n{% if %}", r"assigned.txt: Expected an"),
        ("default/en-IN/assigned.txt", "no subject line", r"start with `Subject: \.\.\.`"),
        (
            "default/en-IN/case_request.txt",
            "Subject: x\n\n{% for label, value in record %}{{ lable }}{% endfor %}",
            r"case_request.txt: 'lable' is undefined",
        ),
        ("delonghi-mx/es-MX/injury_claims.txt", "Subject: x\n\ny", r"no message kind 'injury_c"),
    ],
)
def test_a_missing_or_broken_template_fails_the_policy_load(
    tmp_path: Path, file: str, text: str | None, problem: str
) -> None:
    with pytest.raises(PolicyError, match=problem):
        load_policy_set(broken_policy_dir(tmp_path, file, text))


def test_every_shipped_policy_renders_every_message_in_its_languages() -> None:
    policies = load_policy_set(POLICY_DIR)
    catalog = TemplateCatalog(POLICY_DIR / "templates")
    assert catalog.locales == {"en-IN", "es-MX"}
    for brand in policies.brands:
        catalog.check(brand, policies.for_brand(brand).locales_used | {"en-IN", "es-MX"})
