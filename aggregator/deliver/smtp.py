"""Sending messages over SMTP (smtplib): one session for all messages of a run, TLS or
STARTTLS with verified certificates, and for each recipient either None (the server took
the message) or a reason an operator understands. Blocking: the service calls it in a
thread."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from aggregator.config.schema import Mail
from aggregator.errors import SmtpSetupError


def password(mail: Mail) -> str | None:
    """The password from the environment variable that `password_env` names."""
    if mail.password_env is None:
        return None
    value = os.environ.get(mail.password_env)
    if value is None:
        raise SmtpSetupError(
            f"the environment variable {mail.password_env} (mail.password_env) is not set"
        )
    if not value.isascii():  # smtplib sends the login as ASCII only
        raise SmtpSetupError(
            f"the password in {mail.password_env} has characters outside "
            "ASCII, which SMTP logins here cannot send"
        )
    return value


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _reason(exc: BaseException, mail: Mail) -> str:
    where = f"{mail.host}:{mail.effective_port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"SMTP {where}: login refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {where}: {exc.smtp_code} {_text(exc.smtp_error)}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, refusal = next(iter(exc.recipients.values()))
        return f"SMTP {where}: recipient refused: {code} {_text(refusal)}"
    if isinstance(exc, ssl.SSLError):
        return f"SMTP {where}: TLS failed: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"SMTP {where}: the server closed the connection"
    if isinstance(exc, TimeoutError):
        return f"SMTP {where}: no answer within {mail.timeout.total_seconds():g} s"
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP {where}: {exc}"
    if isinstance(exc, OSError):
        return f"SMTP {where}: cannot connect: {exc.strerror or exc}"
    return f"SMTP {where}: {exc}"


def _session(mail: Mail, secret: str | None) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=mail.ca_file)
    timeout = mail.timeout.total_seconds()
    session: smtplib.SMTP
    if mail.security == "tls":
        session = smtplib.SMTP_SSL(mail.host, mail.effective_port, timeout=timeout, context=context)
    else:
        session = smtplib.SMTP(mail.host, mail.effective_port, timeout=timeout)
    try:
        session.ehlo()
        if mail.security == "starttls":
            session.starttls(context=context)
            session.ehlo()
        if mail.user:
            session.login(mail.user, secret or "")
    except BaseException:
        session.close()
        raise
    return session


class Session:
    """One SMTP session for the messages of a run, opened at the first message. A
    message is either taken (None) or not, with the reason; once the server cannot be
    reached, the rest of the run fails with the same reason without trying again."""

    def __init__(self, mail: Mail) -> None:
        self.mail = mail
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None

    def send(self, message: EmailMessage) -> str | None:
        if self._broken is not None:
            return self._broken
        if self._smtp is None:
            try:
                self._smtp = _session(self.mail, password(self.mail))
            except SmtpSetupError as exc:
                self._broken = str(exc)
                return self._broken
            except (OSError, smtplib.SMTPException) as exc:
                self._broken = _reason(exc, self.mail)
                return self._broken
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            self._smtp, self._broken = None, _reason(exc, self.mail)
            return self._broken
        except (OSError, smtplib.SMTPException) as exc:
            return _reason(exc, self.mail)
        return None

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None


def send_all(mail: Mail, messages: Sequence[EmailMessage]) -> list[str | None]:
    """Send each message in one session; per message None (taken) or why not. Never
    raises for the server's or the network's failures."""
    session = Session(mail)
    try:
        return [session.send(message) for message in messages]
    finally:
        session.close()
