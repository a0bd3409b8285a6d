"""Email over real SMTP; a refused address or message is permanent, the rest is retried."""

import asyncio
import base64
import contextlib
import email.policy
import functools
import hashlib
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import Policy
from typing import Protocol

import idna
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.exceptions import ApplicationError

from domain.templates import RenderedMessage

SMTP_THREADS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="smtp")
"""Where SMTP sessions run; a send waiting for a thread has claimed nothing yet."""


class SmtpSettings(BaseSettings):
    """Where mail goes; read from SMTP_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="SMTP_")

    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "Complaints <complaints@example.com>"
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    timeout_seconds: float = 20.0
    message_id_domain: str = "complaints.local"

    @field_validator("sender")
    @classmethod
    def _one_sender(cls, sender: str) -> str:
        sender_mailbox(sender)
        return sender


def sender_mailbox(sender: str) -> Address:
    """SMTP_SENDER (`Name <address>` or an address) as one mailbox; ValueError if it is not one."""
    header = HeaderRegistry()("From", sender)
    addresses = header.addresses if isinstance(header, AddressHeader) else ()
    if len(addresses) != 1 or not addresses[0].domain or header.defects:
        raise ValueError(f"SMTP_SENDER must be one address, as `Name <address>`: {sender!r}")
    one_address(addresses[0].addr_spec)
    return addresses[0]


HEADERS_UNFOLDED = email.policy.SMTP.clone(max_line_length=998)
"""Long non-ASCII subjects stay one encoded word: CPython's folding can lose a space between two."""


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The same key always gives the same Message-ID, so a resend is recognisable as one."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _one_line(text: str) -> str:
    """A display name without line breaks or control characters (no header injection)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


class NotOneAddress(ValueError):
    """An address that a header or RCPT TO would read as something else than one mailbox."""


def one_address(address: str) -> str:
    """`address` if it is exactly one addr-spec (`local@domain`) as written; else NotOneAddress."""
    # Non-ASCII letters are allowed under SMTPUTF8 (RFC 6532) and are never specials, but
    # CPython's parser refuses them in a local part: check the shape with ASCII in their place.
    shape = re.sub(r"[^\x00-\x7f]", "a", address)
    try:
        parsed = Address(addr_spec=shape)
    except (ValueError, IndexError, HeaderParseError) as err:
        raise NotOneAddress(f"not one email address: {address!r}") from err
    if not parsed.domain or parsed.addr_spec != shape:
        raise NotOneAddress(f"not one email address: {address!r}")
    return address


def envelope_address(address: str) -> str:
    """`address` with its domain in IDNA (`u@exämple.in` → `u@xn--exmple-cua.in`), so only a
    non-ASCII local part needs SMTPUTF8; NotAnAddress (permanent) if the domain is no name."""
    local, _, domain = one_address(address).rpartition("@")
    if domain.isascii():
        return address
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as err:
        raise ApplicationError(
            f"not a domain name: {domain!r} in {address!r}: {err}",
            type="NotAnAddress",
            non_retryable=True,
        ) from err
    return f"{local}@{ascii_domain}"


class Handover(Protocol):
    """What the sender tells the sent-ledger about one message."""

    def leaving(self) -> None:
        """The message is about to leave (claimed: a crash from here on may resend it)."""

    def taken(self) -> None:
        """The server took it (250 to DATA)."""

    def refused(self) -> None:
        """The server answered that it did not take it."""


FOLD_AT = 78
"""Columns of a folded From or To line (RFC 5322's recommended limit)."""
_ATOMS = re.compile(r"[A-Za-z0-9 !#$%&'*+/^_`{|}~-]+")
"""A display name written as it is: atoms (no specials, no `=` or `?`) and spaces."""
_LONGEST_WORD = 32
"""Characters of a name's longest word written as it is; a longer one is encoded (it can fold)."""
_LONGEST_QUOTED = 64
"""Characters of a quoted display name, which stays on one line: some parsers do not unfold
inside quotes (`email.utils.getaddresses` on the raw header reads a folded one as an address)."""
_WORD_BYTES = 45
"""UTF-8 bytes per encoded word: `=?utf-8?b?` + 60 base64 + `?=` is 72 (RFC 2047: at most 75)."""


def _display_name(name: str) -> list[str]:
    """`name` as display-name words every parser reads back as this text and nothing more:
    atoms, else a quoted string, else (not ASCII, or too long to quote) encoded words.

    Atoms are folded where the name has a space, which unfolding gives back; the space between
    two encoded words is not part of the name (RFC 2047 6.2).
    """
    if name.isascii() and "=?" not in name:  # parsers decode `=?…?=` even inside quotes
        if _ATOMS.fullmatch(name) and all(len(w) <= _LONGEST_WORD for w in name.split(" ")):
            return name.split(" ")
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if len(quoted) <= _LONGEST_QUOTED:
            return [quoted]
    chunks = [""]
    for char in name:  # whole characters per word: each decodes on its own
        if len((chunks[-1] + char).encode()) > _WORD_BYTES:
            chunks.append("")
        chunks[-1] += char
    return [f"=?utf-8?b?{base64.b64encode(chunk.encode()).decode()}?=" for chunk in chunks]


class MailboxHeader(str):
    """A From or To header encoded and folded here, never by a policy.

    CPython 3.11 drops a display name's quotes when it refolds one (a client that refolds at 78
    columns) and decodes encoded-word lookalikes before writing them out again: either turned a
    name into recipients. A policy keeps a value whose `name` matches and lets it fold itself.
    """

    name: str
    _lines: list[str]
    _made_of: tuple[str, str, str]

    def __new__(cls, name: str, display_name: str, address: str) -> "MailboxHeader":
        words = [*_display_name(display_name), f"<{address}>"] if display_name else [address]
        header = super().__new__(cls, " ".join(words))
        header.name = name
        header._made_of = (name, display_name, address)
        header._lines = [f"{name}: {words[0]}"]
        for word in words[1:]:  # fold only between the words
            if len(header._lines[-1]) + 1 + len(word) > FOLD_AT:
                header._lines.append("")
            header._lines[-1] += f" {word}"
        return header

    def fold(self, *, policy: Policy) -> str:
        return policy.linesep.join(self._lines) + policy.linesep

    def __reduce__(self) -> tuple[type["MailboxHeader"], tuple[str, str, str]]:
        return MailboxHeader, self._made_of  # a generator deep-copies a message to re-encode it


@dataclass(frozen=True)
class OutgoingMail:
    """One rendered message to `name <address>`, keyed by its business step."""

    rendered: RenderedMessage
    name: str
    address: str
    idempotency_key: str
    headers: Mapping[str, str]


class EmailSender:
    """Sends one rendered message to one address through the configured SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._sender = sender_mailbox(settings.sender)

    async def send(self, mail: OutgoingMail, handover: Handover) -> str:
        """Send and return the Message-ID, telling `handover` when the message leaves and
        whether the server took it; raises ApplicationError (non-retryable if permanent)."""
        message = self.compose(mail)
        recipient = envelope_address(mail.address)
        await self._deliver(message, self._sender.addr_spec, recipient, handover)
        return str(message["Message-ID"])

    def compose(self, mail: OutgoingMail) -> EmailMessage:
        """The message `send` sends to `name <address>`; NotAnAddress (permanent) unless
        `address` is exactly one address."""
        rendered, idempotency_key = mail.rendered, mail.idempotency_key
        try:
            recipient = envelope_address(mail.address)
        except NotOneAddress as err:
            raise ApplicationError(str(err), type="NotAnAddress", non_retryable=True) from err
        message = EmailMessage(policy=HEADERS_UNFOLDED)
        message["From"] = MailboxHeader("From", self._sender.display_name, self._sender.addr_spec)
        message["To"] = MailboxHeader("To", _one_line(mail.name), recipient)
        message["Subject"] = rendered.subject
        message["Message-ID"] = message_id_for(idempotency_key, self._settings.message_id_domain)
        message["X-Idempotency-Key"] = idempotency_key
        for header, value in mail.headers.items():
            message[header] = value
        message.set_content(rendered.body)
        return message

    async def _deliver(
        self,
        message: EmailMessage,
        sender: str,
        recipient: str,
        handover: Handover,
    ) -> None:
        """The SMTP exchange on a thread of `SMTP_THREADS`: the 250 to DATA is read, and the
        ledger told, there, never behind the event loop's other work (workflow activations,
        payload decoding), which under load held the answer for seconds while a crash could
        strike (docs/notifications.md, "The window left"). A cancelled attempt leaves its
        exchange to finish on its thread, bounded by the SMTP timeout."""
        loop = asyncio.get_running_loop()
        exchange = functools.partial(
            _exchange, self._settings, message, sender, recipient, handover
        )
        await loop.run_in_executor(SMTP_THREADS, exchange)


def _exchange(
    settings: SmtpSettings,
    message: EmailMessage,
    sender: str,
    recipient: str,
    handover: Handover,
) -> None:
    """One SMTP session, blocking: connect, TLS, log in, send; ApplicationError when refused."""
    try:
        with _connected(settings) as client:
            _transmit(client, settings.host, message, sender, recipient, handover)
    except smtplib.SMTPRecipientsRefused as err:
        code, answer = next(iter(err.recipients.values()))
        permanent = 500 <= code < 600
        raise ApplicationError(  # 4xx at RCPT is greylisting or a full mailbox: retry
            f"the mail server refused {recipient}: {code} {_text(answer)}",
            type="RecipientRefused" if permanent else "RecipientDeferred",
            non_retryable=permanent,
        ) from err
    except smtplib.SMTPResponseException as err:
        permanent = 500 <= err.smtp_code < 600
        raise ApplicationError(
            f"the mail server answered {err.smtp_code} {_text(err.smtp_error)} for {recipient}",
            type="MailRejected" if permanent else "MailDeferred",
            non_retryable=permanent,
        ) from err
    except (smtplib.SMTPException, OSError) as err:
        raise ApplicationError(
            f"cannot reach the mail server at {settings.host}:{settings.port}: {err}",
            type="MailServerUnreachable",
        ) from err


@functools.cache
def _local_hostname() -> str:
    """The name this host greets with (EHLO), looked up once: `smtplib` would ask the resolver
    again for every session."""
    return socket.getfqdn()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's trust store, loaded once (about 25 ms of CPU each time) and only for a
    session that uses TLS; one context serves every thread."""
    return ssl.create_default_context()


@contextlib.contextmanager
def _connected(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A session greeted, under TLS when asked for (STARTTLS when the server offers it and
    `start_tls` is not False), logged in when a user is set; QUIT when done, if answered."""
    hostname, timeout = _local_hostname(), settings.timeout_seconds
    client = (
        smtplib.SMTP_SSL(
            settings.host, settings.port, hostname, timeout=timeout, context=_tls_context()
        )
        if settings.use_tls
        else smtplib.SMTP(settings.host, settings.port, hostname, timeout=timeout)
    )
    try:
        client.ehlo_or_helo_if_needed()
        offered = client.has_extn("starttls")
        if not settings.use_tls and (
            settings.start_tls or (settings.start_tls is None and offered)
        ):
            client.starttls(context=_tls_context())
            client.ehlo()
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            client.login(settings.username, password)
        yield client
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    finally:
        client.close()


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _transmit(
    client: smtplib.SMTP,
    server: str,
    message: EmailMessage,
    sender: str,
    recipient: str,
    handover: Handover,
) -> None:
    """Send `message` as our policy writes it, to the envelope given, never to its headers.

    `sendmail` would hide the moment DATA starts, which the ledger needs: the message is claimed
    just before it leaves and marked the moment the server answers 250, before anything else
    happens (QUIT included).
    """
    policy, options = HEADERS_UNFOLDED, []
    if not (sender + recipient).isascii():
        if not client.has_extn("smtputf8"):
            raise ApplicationError(
                f"the mail server at {server} does not take internationalised "
                f"addresses (no SMTPUTF8): cannot send to {recipient}",
                type="NoSmtpUtf8",
                non_retryable=True,
            )
        policy, options = policy.clone(utf8=True), ["SMTPUTF8"]
    if client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    else:
        policy = policy.clone(cte_type="7bit")
    try:
        raw = message.as_bytes(policy=policy)
    except UnicodeError as err:  # retrying would not mend it
        raise ApplicationError(
            f"cannot encode the message to {recipient}: {err}",
            type="MessageEncoding",
            non_retryable=True,
        ) from err
    code, answer = client.mail(sender, options)  # SMTPUTF8 among them: commands in UTF-8
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = client.rcpt(recipient)
    if code not in (250, 251):
        client.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    handover.leaving()
    try:
        code, answer = client.data(raw)
    except smtplib.SMTPResponseException:  # DATA itself refused: nothing left
        handover.refused()
        raise
    if code != 250:
        handover.refused()  # an answer other than 250: the server says it did not take it
        raise smtplib.SMTPResponseException(code, answer)
    # Any other end (a crash, a timeout, a broken connection) leaves the claim: maybe sent.
    handover.taken()
