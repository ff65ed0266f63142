"""`access: private`: nothing is read without an account. Pages need a login; a feed
reader, which cannot log in, reads below a personal address, /private/TOKEN/…, whose
token each account has (`aggregator users token NAME`). The feeds served there link to
their archive pages and stylesheet below the same address. Health, metrics, the login
itself, the stylesheets and the WebSub endpoint stay open."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from aggregator.config.schema import Config
from aggregator.store.database import Store
from aggregator.web.auth import visitor

OPEN = ("/login", "/logout", "/healthz", "/metrics", "/static/", "/websub")
PRIVATE = "/private/"
FOR_READERS = ("/feeds/", "/sources.opml", "/static/")  # what a token opens


def feed_base(scope: Scope, base_url: str) -> str:
    """The base URL a feed of this request links to (the personal one, if private)."""
    found: str = scope.get("state", {}).get("feed_base", base_url)
    return found


def private_address(base_url: str, token: str) -> str:
    return f"{base_url}{PRIVATE}{quote(token, safe='')}"


class PrivateAccess:
    """ASGI middleware: in a private service, a request needs a session or a feed token."""

    def __init__(
        self, app: ASGIApp, config: Callable[[], Config], store: Store, base_url: str
    ) -> None:
        self.app, self.config, self.store, self.base_url = app, config, store, base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.config().access == "public":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(PRIVATE):
            await self._with_token(scope, receive, send)
            return
        if not path.startswith(OPEN) and visitor(Request(scope), self.store) is None:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _with_token(self, scope: Scope, receive: Receive, send: Send) -> None:
        token, _, rest = scope["path"][len(PRIVATE) :].partition("/")
        rest = "/" + rest
        if rest == "/":  # a feed's link to the overview: the dashboard, after a login
            await RedirectResponse(f"{self.base_url}/", 303)(scope, receive, send)
            return
        if self.store.user_by_feed_token(token) is None or not rest.startswith(FOR_READERS):
            response = PlainTextResponse("Unbekannte Feed-Adresse\n", 404)
            await response(scope, receive, send)
            return
        inner = dict(scope)
        inner["path"] = rest
        inner["raw_path"] = rest.encode()
        personal = private_address(self.base_url, token)
        inner["state"] = {**scope.get("state", {}), "feed_base": personal}
        await self.app(inner, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        response: Response
        if path.startswith(FOR_READERS):
            response = PlainTextResponse(
                "Dieser Dienst ist nicht öffentlich: die persönliche Feed-Adresse verwenden "
                "(aggregator users token NAME)\n",
                401,
            )
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"{self.base_url}/login?next={quote(target)}", 303)
        await response(scope, receive, send)
