"""A real SMTP server on loopback (aiosmtpd) for the digest tests: it keeps every message
it accepted, parsed, and can play a broken server (refuse a recipient, answer 451 a few
times, hold the DATA command until released) or require STARTTLS or TLS with a
certificate of a throwaway CA (trustme) and a login."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from aggregator.demo.loopback import free_port

USER, PASSWORD = "presse", "geheim-2022!"


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class MailHandler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    temporary_failures: int = 0  # DATA answered 451 this many times first
    hold: threading.Event | None = None  # DATA waits until this is set
    data_seen: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 Postfach unbekannt"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen.set()
        if self.hold is not None:
            while not self.hold.is_set():
                await asyncio.sleep(0.05)
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Bitte später noch einmal"
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class MailServer:
    handler: MailHandler
    port: int
    ca_file: Path | None = None


@contextmanager
def mail_server(
    tmp_path: Path, security: str = "none", handler: MailHandler | None = None
) -> Iterator[MailServer]:
    """An SMTP server on 127.0.0.1; with security 'starttls' or 'tls' it needs TLS and a
    login (USER, PASSWORD) and its CA is written to tmp_path for the client."""
    handler = handler or MailHandler()
    port = free_port()
    options: dict[str, object] = {}
    ca_file = None
    if security != "none":
        authority = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        ca_file = tmp_path / "smtp-ca.pem"
        authority.cert_pem.write_to_path(str(ca_file))
        options |= {"authenticator": _login, "auth_required": True}
        if security == "tls":  # aiosmtpd counts only STARTTLS as TLS for AUTH
            options |= {"ssl_context": context, "auth_require_tls": False}
        else:
            options |= {"tls_context": context, "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)  # type: ignore[arg-type]
    controller.start()
    try:
        yield MailServer(handler, port, ca_file)
    finally:
        if handler.hold is not None:
            handler.hold.set()
        controller.stop()
