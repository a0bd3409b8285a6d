"""The SMTP sink: records every message by its idempotency key and when each copy arrived."""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

from aiosmtpd.controller import Controller

from harness.mailbox import free_port


@dataclass
class Sink:
    """Takes every message and records when each Message-ID arrived (wall clock)."""

    arrivals: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Idempotency key -> arrival times of each copy."""
    message_ids: dict[str, str] = field(default_factory=dict)
    recipients: dict[str, str] = field(default_factory=dict)
    """Idempotency key -> the envelope's recipients, with "(SMTPUTF8)" when sent so."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=email_policy.default
        )
        key = str(message["X-Idempotency-Key"])
        self.arrivals[key].append(time.time())
        self.message_ids[key] = str(message["Message-ID"])
        utf8 = " (SMTPUTF8)" if envelope.smtp_utf8 else ""
        self.recipients[key] = ", ".join(envelope.rcpt_tos) + utf8
        return "250 Message accepted"


@dataclass
class SmtpServer:
    sink: Sink
    port: int = field(default_factory=free_port)
    smtputf8: bool = True
    """Whether EHLO offers SMTPUTF8 (internationalised addresses); read at each start."""
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
