"""Who is asking: sessions in a cookie, CSRF tokens for forms, login with throttling.

A session is a random token in an HttpOnly, SameSite=Lax cookie (Secure when the
service's public address is https); the store keeps only its hash. A form's CSRF token
is derived from the session token, so a page from another site can neither read nor
forge it; every POST that changes something must carry it and, when the browser names
its origin, come from this service. Logins are throttled per address and per account
name (known or not), and every failure says the same, so nobody learns which names exist.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from aggregator.core.kinds import Role
from aggregator.store.database import Store
from aggregator.web.passwords import new_token, verify_password

COOKIE = "aggregator_session"
SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_AFTER = 10  # failed logins of one address or one account name within the window
MAX_FORM = 64 * 1024  # bytes of a form body


@dataclass(frozen=True)
class Visitor:
    """A logged-in account, with the CSRF token its forms carry."""

    name: str
    role: Role
    csrf: str

    @property
    def editor(self) -> bool:
        return self.role is Role.EDITOR


class FormRefused(Exception):
    """A POST that must not change anything: the status and the reason, in German."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def csrf_for(session_token: str) -> str:
    return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()


def visitor(request: Request, store: Store) -> Visitor | None:
    """The account of the request's session cookie, if it is a live session."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    session = store.session(token, datetime.now(UTC))
    if session is None:
        return None
    return Visitor(session.user, session.role, csrf_for(token))


async def form_of(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (the only kind our forms send)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise FormRefused(415, "Formulare werden als application/x-www-form-urlencoded gesendet")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise FormRefused(413, "Formular zu groß")
    try:
        return dict(parse_qsl(body.decode("utf-8"), max_num_fields=50))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormRefused(400, "Formular nicht lesbar") from exc


def same_origin(request: Request, base_url: str) -> bool:
    """False when the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    ours = {urlsplit(base_url).netloc, request.headers.get("host", "")}
    return urlsplit(origin).netloc in ours


async def changing_form(
    request: Request, store: Store, base_url: str
) -> tuple[Visitor, dict[str, str]]:
    """The form of a POST that changes something, from a logged-in account, with its
    CSRF token, from this service; FormRefused otherwise."""
    if not same_origin(request, base_url):
        raise FormRefused(403, "Anfrage von einer anderen Website abgelehnt")
    who = visitor(request, store)
    if who is None:
        raise FormRefused(401, "Bitte zuerst anmelden")
    form = await form_of(request)
    if not hmac.compare_digest(form.get("csrf", ""), who.csrf):
        raise FormRefused(403, "Formular abgelaufen oder nicht von dieser Seite (CSRF-Schutz)")
    return who, form


@dataclass(frozen=True)
class LoginResult:
    token: str | None  # the new session's token, None if refused
    status: int  # 303 on success, 401 wrong, 429 throttled
    message: str


async def log_in(store: Store, address: str, name: str, password: str) -> LoginResult:
    """Check a login against the throttle and the password hash; open a session."""
    now = datetime.now(UTC)
    since = now - THROTTLE_WINDOW
    scopes = [f"address:{address}", f"account:{name.casefold()[:100]}"]
    if any(store.login_failures(scope, since) >= THROTTLE_AFTER for scope in scopes):
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        return LoginResult(None, 429, f"Zu viele Fehlversuche. Bitte in {minutes} Minuten erneut.")
    account = store.user(name) if name else None
    good = await asyncio.to_thread(verify_password, account.hash if account else None, password)
    if account is None or not good:
        store.login_failed(scopes, now, keep_since=since)
        return LoginResult(None, 401, "Anmeldung fehlgeschlagen: Name oder Passwort falsch.")
    token = new_token()
    store.open_session(token, csrf_for(token), account.name, now, now + SESSION_LIFETIME)
    return LoginResult(token, 303, "")


def set_session_cookie(response: Response, token: str, base_url: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=base_url.startswith("https://"),
    )


def clear_session_cookie(response: Response, base_url: str) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=base_url.startswith("https://")
    )


def local_target(target: str | None) -> str:
    """Where to go after a form: a path of this service only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
