"""The editors' pages: login and logout, an item's page with the rules' verdicts, its
history and (for editors) the decisions to take, and the form that takes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from aggregator.classify.campaigns import judge_all
from aggregator.core.kinds import DecisionKind
from aggregator.errors import CurationError
from aggregator.pipeline import curate
from aggregator.web.auth import (
    FormRefused,
    Visitor,
    changing_form,
    clear_session_cookie,
    form_of,
    local_target,
    log_in,
    same_origin,
    set_session_cookie,
    visitor,
)

if TYPE_CHECKING:
    from aggregator.web.state import AppState

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def item_path(source_id: str, key: str) -> str:
    return "/item?" + urlencode({"source": source_id, "key": key})


class Editing:
    """The endpoints, over the app's state (its `changed` is told when a decision
    changed what the feeds show)."""

    def __init__(self, state: AppState, templates: Environment) -> None:
        self.state, self.templates = state, templates
        self.config, self.store, self.base_url = state.config, state.store, state.base_url

    def _page(self, name: str, status: int = 200, **values: object) -> HTMLResponse:
        page = self.templates.get_template(name).render(base_url=self.base_url, **values)
        return HTMLResponse(
            page,
            status,
            headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
        )

    async def login_page(self, request: Request) -> Response:
        target = local_target(request.query_params.get("next"))
        return self._page("login.html", next=target, message=None, who=visitor(request, self.store))

    async def login(self, request: Request) -> Response:
        if not same_origin(request, self.base_url):
            return self._page("login.html", 403, next="/", message="Anfrage abgelehnt.", who=None)
        try:
            form = await form_of(request)
        except FormRefused as unreadable:
            return self._page(
                "login.html", unreadable.status, next="/", message=unreadable.reason, who=None
            )
        address = request.client.host if request.client else "unknown"
        name, password = form.get("user", "").strip(), form.get("password", "")
        done = await log_in(self.store, address, name, password)
        target = local_target(form.get("next"))
        if done.token is None:
            refused = self._page(
                "login.html", done.status, next=target, message=done.message, who=None
            )
            if done.status == 429:
                refused.headers["Retry-After"] = "900"
            return refused
        response = RedirectResponse(self.base_url + target, 303)
        set_session_cookie(response, done.token, self.base_url)
        return response

    async def logout(self, request: Request) -> Response:
        try:
            await changing_form(request, self.store, self.base_url)
        except FormRefused as refused:
            return Response(refused.reason + "\n", refused.status, media_type="text/plain")
        token = request.cookies.get("aggregator_session", "")
        self.store.close_session(token)
        response = RedirectResponse(self.base_url + "/", 303)
        clear_session_cookie(response, self.base_url)
        return response

    async def item(self, request: Request) -> Response:
        source_id = request.query_params.get("source", "")
        key = request.query_params.get("key", "")
        who = visitor(request, self.store)
        if who is None:
            target = item_path(source_id, key)
            return RedirectResponse(f"{self.base_url}/login?{urlencode({'next': target})}", 303)
        return self._item_page(who, source_id, key)

    def _item_page(
        self, who: Visitor, source_id: str, key: str, status: int = 200, message: str | None = None
    ) -> Response:
        stored = self.store.item(source_id, key)
        if stored is None:
            return self._page(
                "item.html",
                404 if message is None else status,
                item=None,
                who=who,
                message=message or "Meldung unbekannt.",
            )
        config = self.config()
        sources = {source.id: source for source in config.sources}
        verdicts = judge_all(stored.item, sources.get(source_id), config.campaigns)
        decided = {
            c.id: self.store.campaign_decisions(c.id).get((source_id, key))
            for c in config.campaigns
        }
        return self._page(
            "item.html",
            status,
            item=stored,
            who=who,
            message=message,
            verdicts=verdicts,
            decided=decided,
            campaigns={c.id: c for c in config.campaigns},
            source=sources.get(source_id),
            history=self.store.decisions(item=(source_id, key)),
        )

    async def decide(self, request: Request) -> Response:
        try:
            who, form = await changing_form(request, self.store, self.base_url)
        except FormRefused as refused:
            return Response(refused.reason + "\n", refused.status, media_type="text/plain")
        source_id, key = form.get("source", ""), form.get("key", "")
        if form.get("action") != "undo" and not form.get("reason", "").strip():
            return self._item_page(who, source_id, key, 400, "Bitte einen Grund angeben.")
        if not who.editor:
            refusal = "Nur Redakteurinnen und Redakteure können entscheiden."
            return self._item_page(who, source_id, key, 403, refusal)
        try:
            taken = await self._take(form, who, f"{source_id}/{key}")
        except (CurationError, ValueError) as exc:
            return self._item_page(who, source_id, key, 400, f"Nicht übernommen: {exc}")
        self.state.changed()
        source_id, key = taken or (source_id, key)
        return RedirectResponse(self.base_url + item_path(source_id, key) + "#verlauf", 303)

    async def _take(
        self, form: dict[str, str], who: Visitor, reference: str
    ) -> tuple[str, str] | None:
        """Take the form's decision; the item it concerns if it is a new one (added)."""
        config, now = self.config(), datetime.now(UTC)
        action, reason = form.get("action", ""), form.get("reason", "")
        campaign = form.get("campaign", "")
        if action == "add":
            if self.state.getter is None:
                raise CurationError("hier kann nichts abgerufen werden")
            added = await curate.add_release(
                config,
                self.store,
                self.state.getter,
                form.get("source", ""),
                form.get("url", "").strip(),
                campaign or None,
                reason,
                who.name,
                now,
            )
            return added.item
        if action in ("exclude", "include"):
            curate.decide(
                config, self.store, action == "include", campaign, reference, reason, who.name, now
            )
        elif action in ("title", "date"):
            curate.correct(
                config,
                self.store,
                DecisionKind(action),
                reference,
                form.get("value", ""),
                reason,
                who.name,
                now,
            )
        elif action in ("split", "merge"):
            into = form.get("other", "").strip() if action == "merge" else None
            curate.regroup(self.store, reference, into, reason, who.name, now)
        elif action == "undo":
            curate.undo(config, self.store, int(form.get("decision", "0")), who.name, now)
        else:
            raise CurationError(f"unbekannte Aktion {action!r}")
        return None
