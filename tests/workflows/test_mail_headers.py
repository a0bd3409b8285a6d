"""No name can add a recipient or a header: hostile display names, sent through a real SMTP server
and read back from the bytes it received."""

from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import getaddresses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.channels import ChannelSettings
from activities.email import HEADERS_UNFOLDED, EmailSender, OutgoingMail, SmtpSettings
from activities.notifications import NotificationActivities
from domain.messages import DeliveryChannel
from domain.policy_files import load_templates
from domain.templates import RenderedMessage
from harness.mailbox import Mailbox, Received
from harness.samples import CUSTOMER_EMAIL, POLICY_DIR, sample_delivery

SENDER = "complaints@example.com"
SENT_HEADERS = {
    "From",
    "To",
    "Subject",
    "Message-ID",
    "X-Idempotency-Key",
    "X-Complaint-Id",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}
RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Reply-To", "Resent-To", "Resent-Cc", "Resent-Bcc")
MESSAGE = RenderedMessage(
    subject="Your complaint c1", body="We have your complaint.\n", sms="", template="test"
)
KEY = "c1/1/acknowledgement/customer/email"
HEADERS = {"X-Complaint-Id": "c1"}

HOSTILE_NAMES = {
    "issue 13": "Evil Bcc: attacker@evil.example X-Injected: yes plus a long enough name to fold",
    "issue 13 after a quote": (
        'Evil, "Bcc: attacker@evil.example" X-Injected: yes plus a long enough name to fold over'
    ),
    "quote": 'Evil" <attacker@evil.example>, "x',
    "escaped quote": 'Evil\\" <attacker@evil.example>, \\"x',
    "backslash": "Asha \\ Verma\\",
    "angle brackets": "<attacker@evil.example>",
    "brackets out of order": "a > b < attacker@evil.example",
    "comma": "attacker@evil.example, other@evil.example",
    "semicolon": "Evil; attacker@evil.example;",
    "group": "undisclosed-recipients: attacker@evil.example;",
    "colon": "Bcc: attacker@evil.example",
    "at sign": "@evil.example",
    "comment": "(Bcc: attacker@evil.example) Asha",
    "CRLF": "Evil\r\nBcc: attacker@evil.example",
    "LF": "Evil\nX-Injected: yes",
    "CR": "Evil\rX-Injected: yes",
    "folding whitespace": "Evil\r\n Bcc: attacker@evil.example",
    "tab": "Asha\tVerma",
    "Unicode line separator": "Evil\u2028Bcc: attacker@evil.example\x85X-Injected: yes",
    "accents": "Zoë Ñúñez",
    "Devanagari": "अनन्या शर्मा",
    "accents and a comma": "Zoë, attacker@evil.example",
    "accents, comma, folded": "Zoë Ñúñez, attacker@evil.example, and a tail long enough to fold it",
    "200 letters": "A" * 200,
    "200 characters of words": "Asha Verma " * 18,
    "the longest quoted name": ("Asha (Verma) " * 5)[:62],
    "200 characters of recipients": ("Bcc: attacker@evil.example, " * 8)[:200],
    "200 Devanagari characters": ("अनन्या शर्मा, " * 15)[:200],
    "encoded word and address": "=?utf-8?q?x?= <attacker@evil.example>",
    "encoded @ and comma (q)": "=?utf-8?q?attacker=40evil.example=2C?= x",
    "encoded address (b)": "=?utf-8?b?YXR0YWNrZXJAZXZpbC5leGFtcGxl?=",
    "encoded header break": "=?utf-8?q?Evil=0D=0ABcc:_attacker=40evil.example?=",
    "blank": " \t ",
    "a phone number (SMS by email)": "+919812345678",
}


def recipients(raw: bytes, header: str) -> list[list[str]]:
    """The addresses in every `header` of `raw`, as three parsers read them: the structured one,
    `getaddresses` on the raw text and `getaddresses` on the decoded text."""
    modern = message_from_bytes(raw, policy=policy.default)
    legacy = message_from_bytes(raw, policy=policy.compat32)
    return [
        [address.addr_spec for value in modern.get_all(header, []) for address in value.addresses],
        [address for _, address in getaddresses(legacy.get_all(header, []))],
        [address for _, address in getaddresses([str(v) for v in modern.get_all(header, [])])],
    ]


def display_name(raw: bytes) -> str:
    """The To header's display name, as RFC 2047 reads it.

    CPython 3.11 keeps the space between two encoded words in a display name (gh-128110): a name
    in encoded words is read with `decode_header`, which drops it.
    """
    [to] = message_from_bytes(raw, policy=policy.default)["To"].addresses
    legacy = str(message_from_bytes(raw, policy=policy.compat32)["To"])
    if "=?" not in legacy:
        return to.display_name
    return str(make_header(decode_header(legacy))).removesuffix(f" <{to.addr_spec}>")


def assert_only_the_intended_mailbox(raw: bytes, name: str) -> None:
    """`raw` is addressed to CUSTOMER_EMAIL alone, from SENDER, has only the headers we set, and
    calls the customer `name` (line breaks and control characters made spaces)."""
    assert recipients(raw, "To") == [[CUSTOMER_EMAIL]] * 3
    assert recipients(raw, "From") == [[SENDER]] * 3
    for header in RECIPIENT_HEADERS[1:]:
        assert recipients(raw, header) == [[], [], []], header
    message = message_from_bytes(raw, policy=policy.default)
    assert set(message.keys()) == SENT_HEADERS
    assert str(message["X-Complaint-Id"]) == "c1"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "RFC 5322 line limit"
    printable = "".join(c if c.isprintable() else " " for c in name)
    assert display_name(raw) == " ".join(printable.split())


class NoLedger:
    """A handover that records nothing."""

    def leaving(self) -> None:
        pass

    def taken(self) -> None:
        pass

    def refused(self) -> None:
        pass


async def send(mailbox: Mailbox, name: str, address: str = CUSTOMER_EMAIL) -> Received:
    sender = EmailSender(SmtpSettings(port=mailbox.port, timeout_seconds=5))
    await sender.send(OutgoingMail(MESSAGE, name, address, KEY, HEADERS), NoLedger())
    [received] = mailbox.received
    return received


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
async def test_a_name_reaches_only_its_own_address_and_adds_no_header(
    mailbox: Mailbox, name: str
) -> None:
    received = await send(mailbox, name)
    assert received.recipients == [CUSTOMER_EMAIL], "RCPT TO"
    assert received.sender == SENDER, "MAIL FROM"
    assert_only_the_intended_mailbox(received.raw, name)


TRICKY = st.sampled_from([*'"\\<>,;:@()[]=?. \t\r\n', "=?utf-8?q?", "?=", "Bcc: ", "a@b.c"])


@settings(max_examples=300, deadline=None)
@given(
    name=st.lists(TRICKY | st.characters(), max_size=120).map("".join),
    eight_bit=st.booleans(),
)
def test_no_name_at_all_adds_a_recipient_or_a_header(name: str, eight_bit: bool) -> None:
    mail = OutgoingMail(MESSAGE, name, CUSTOMER_EMAIL, KEY, HEADERS)
    message = EmailSender(SmtpSettings()).compose(mail)
    written = HEADERS_UNFOLDED if eight_bit else HEADERS_UNFOLDED.clone(cte_type="7bit")
    assert_only_the_intended_mailbox(message.as_bytes(policy=written), name)


HOSTILE_ADDRESSES = {
    "two addresses": "attacker@evil.example, +919812345678@sms.example.com",
    "a name and an address": "Evil <attacker@evil.example>",
    "a header break": "+919812345678@sms.example.com\r\nBcc: attacker@evil.example",
    "a group": "x: attacker@evil.example;",
    "no domain": "+919812345678",
}


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES.values(), ids=HOSTILE_ADDRESSES.keys())
async def test_an_address_that_is_not_exactly_one_address_is_refused_for_good(
    mailbox: Mailbox, address: str
) -> None:
    # The SMS-by-email gateway makes the address from a phone number: `{phone}@gateway`.
    with pytest.raises(ApplicationError) as raised:
        await send(mailbox, "+919812345678", address)
    assert (raised.value.type, raised.value.non_retryable) == ("NotAnAddress", True)
    assert mailbox.received == []


@pytest.mark.parametrize(
    ("phone", "failure"),
    [("+919812345678", None), ("attacker@evil.example,+919812345678", "NotAnAddress")],
)
async def test_a_text_by_email_goes_to_the_phone_number_at_the_gateway_and_nowhere_else(
    mailbox: Mailbox, tmp_path: Path, phone: str, failure: str | None
) -> None:
    texts = NotificationActivities(
        SmtpSettings(port=mailbox.port, timeout_seconds=5),
        ChannelSettings(sms_gateway="mailto:{phone}@sms.example.com", sent_ledger=None),
        load_templates(POLICY_DIR),
    )
    delivery = sample_delivery("c1/1/acknowledgement/customer/sms")
    delivery = delivery.model_copy(update={"channel": DeliveryChannel.SMS, "address": phone})
    if failure is not None:
        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(texts.send_notification, delivery)
        assert (raised.value.type, raised.value.non_retryable) == (failure, True)
        assert mailbox.received == []
        return
    await ActivityEnvironment().run(texts.send_notification, delivery)
    [received] = mailbox.received
    assert received.recipients == [f"{phone}@sms.example.com"]
    [to] = message_from_bytes(received.raw, policy=policy.default)["To"].addresses
    assert (to.display_name, to.addr_spec) == (phone, f"{phone}@sms.example.com")
