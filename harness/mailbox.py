"""A real SMTP server (aiosmtpd) that keeps what it receives, with optional injected faults."""

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One accepted message as it crossed the wire: MAIL FROM, every RCPT TO, the raw DATA."""

    sender: str
    recipients: list[str]
    raw: bytes


@dataclass
class Mailbox:
    """Messages the server accepted, plus hooks to refuse or fail some of them."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    """The same messages with their envelopes, unparsed."""
    refuse_recipient: Callable[[str], bool] = lambda _address: False
    refused: list[str] = field(default_factory=list)
    refusal: str = "550 5.1.1 <{address}>: no such mailbox"
    data_faults: int = 0
    """How many DATA commands to answer 451 after storing the message (an ack lost in transit)."""
    data_answered: threading.Event = field(default_factory=threading.Event)
    """While clear, DATA is stored but not answered: the client cannot know it was taken."""
    quit_answered: threading.Event = field(default_factory=threading.Event)
    """While clear, QUIT is not answered: the client took its 250 for DATA and waits to hang up."""
    smtputf8: bool = False
    """Whether the server offers SMTPUTF8 (internationalised addresses, RFC 6531)."""
    _controller: Controller | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse_recipient(address):
            self.refused.append(address)
            return self.refusal.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content: Any = envelope.original_content or envelope.content
        self.messages.append(message_from_bytes(content, policy=policy.default))
        self.received.append(Received(envelope.mail_from or "", [*envelope.rcpt_tos], content))
        await asyncio.to_thread(self.data_answered.wait)  # set from the test's thread
        if self.data_faults > 0:
            self.data_faults -= 1
            return "451 4.3.0 temporary failure after delivery"
        return "250 Message accepted"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.to_thread(self.quit_answered.wait)  # set from the test's thread
        return "221 Bye"

    def __post_init__(self) -> None:
        self.quit_answered.set()
        self.data_answered.set()

    def start(self) -> None:
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def message_ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)
