"""The customer's tracking link: signed, unforgeable, in the acknowledgement only when a secret
is set; what the tracking page shows of a complaint (its public side, in its language)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from activities.tracking_links import TrackingConfigError, TrackingLinks, TrackingSettings
from api.track.pages import open_to_customer, page_context
from domain.history import Actor, ActorRole, Step, StepKind
from domain.messages import MessageFacts, Notification, NotificationKind, Recipient
from domain.policy_files import load_policy_set, load_templates
from domain.status import ComplaintStatus
from domain.view import ComplaintView
from domain.view_example import EXAMPLE_VIEW
from harness.samples import POLICY_DIR

SETTINGS = TrackingSettings(
    tracking_secret=SecretStr("unit-tracking-secret-0123456789abcdef012345"),
    public_url="https://support.example.com/",
)
LINKS = TrackingLinks(SETTINGS)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_link_names_its_complaint_and_cannot_be_forged_or_altered() -> None:
    link = LINKS.link_for("3f9c2a7be41d0c55")
    assert link.startswith("https://support.example.com/track/")
    token = link.rsplit("/", 1)[1]
    assert LINKS.complaint_of(token) == "3f9c2a7be41d0c55"
    assert LINKS.complaint_of(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    other = TrackingLinks(SETTINGS.model_copy(update={"tracking_secret": SecretStr("x" * 40)}))
    assert LINKS.complaint_of(other.token_for("3f9c2a7be41d0c55")) is None
    assert LINKS.csrf_matches(token, LINKS.csrf_for(token))
    assert not LINKS.csrf_matches(token, None)
    assert not LINKS.csrf_matches(token, other.csrf_for(token))


def test_no_secret_no_links_and_a_short_one_is_refused() -> None:
    assert TrackingLinks.from_settings(TrackingSettings(tracking_secret=None)) is None
    with pytest.raises(TrackingConfigError, match="at least 32 bytes"):
        TrackingLinks(TrackingSettings(tracking_secret=SecretStr("short")))


@pytest.mark.parametrize(
    ("locale", "words"), [("en-IN", "Track your complaint: "), ("es-MX", "Siga su queja: ")]
)
def test_the_acknowledgement_prints_the_link_only_when_there_is_one(
    locale: str, words: str
) -> None:
    templates = load_templates(POLICY_DIR)
    customer = Recipient(role="customer", name="Asha", email="asha@example.in")
    notification = Notification(
        step=1, kind=NotificationKind.ACKNOWLEDGEMENT, recipient=customer, level=1, deadline=NOW
    )
    facts = MessageFacts(
        complaint_id="c1", customer_name="Asha", product="P", reason="R", level_name="L1"
    )
    link = LINKS.link_for("c1")
    with_link = templates.render("default", locale, notification, facts, "UTC", link)
    assert f"{words}{link}\n" in with_link.body
    without = templates.render("default", locale, notification, facts, "UTC")
    assert "/track/" not in without.body and words.strip() not in without.body


def _view(**changes: object) -> ComplaintView:
    return ComplaintView.model_validate(EXAMPLE_VIEW).model_copy(update=changes)


def test_the_page_is_open_while_active_and_within_the_reopen_window() -> None:
    assert open_to_customer(_view(status=ComplaintStatus.OPEN), NOW)
    resolved = _view(status=ComplaintStatus.RESOLVED, reopen_until=NOW + timedelta(days=1))
    assert open_to_customer(resolved, NOW)
    assert not open_to_customer(resolved, NOW + timedelta(days=2))
    assert not open_to_customer(_view(status=ComplaintStatus.CLOSED, reopen_until=None), NOW)


def test_the_page_shows_no_internal_note_and_reads_the_complaints_language() -> None:
    view = _view()
    note = Step(
        seq=len(view.history) + 1,
        at=NOW,
        actor=Actor(role=ActorRole.AGENT, name="Priya"),
        kind=StepKind.NOTE_ADDED,
        level=1,
        text="internal: do not offer a refund",
        internal=True,
    )
    view = view.model_copy(update={"history": [*view.history, note]})
    policies = load_policy_set(POLICY_DIR)
    context = page_context(view, policies.for_brand(view.intake.brand), NOW)
    assert all(step["text"] != note.text for step in context["history"])
    mexico = view.intake.country.upper() == "MX" or view.intake.brand == "delonghi-mx"
    assert context["lang"] == ("es-MX" if mexico else "en-IN")
