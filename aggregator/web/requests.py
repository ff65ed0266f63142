"""What a request asks, read and checked, and the guard around every endpoint: a
failure answers one short line, turns /healthz red and is counted."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from aggregator.config.schema import Config
from aggregator.core.logs import event
from aggregator.core.model import LAND_CODES
from aggregator.store.database import is_storage_failure
from aggregator.web.state import AppState


class BadQuery(ValueError):
    """A query parameter that no feed can answer: 400, with the reason."""


def search_text(request: Request) -> str | None:
    """The `?q=` words: at most 200 characters; control characters are refused."""
    raw = request.query_params.get("q", "")
    if _CONTROL.search(raw):
        raise BadQuery("q darf keine Steuerzeichen enthalten")
    return " ".join(raw.split())[:200] or None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
Endpoint = Callable[[Request], Awaitable[Response]]


def chosen_land(request: Request) -> str | None:
    """The Land the dashboard is narrowed to (`?land=BB`), if it is one."""
    code = request.query_params.get("land", "").strip().upper()
    return code if code in LAND_CODES else None


def in_land(config: Config, land: str | None) -> Config:
    """The configuration as far as one Land's sources go (all of it for None)."""
    if land is None:
        return config
    return config.model_copy(update={"sources": tuple(s for s in config.sources if s.land == land)})


def guarded(state: AppState, name: str, endpoint: Endpoint) -> Endpoint:
    """A failure answers 500 with one short line, is logged as one event, turns
    /healthz unhealthy (until the same page renders again) and is counted."""

    async def run(request: Request) -> Response:
        what = f"{name} {request.url.path}"
        try:
            response = await endpoint(request)
        except BadQuery as exc:
            return Response(f"Ungültige Anfrage: {exc}\n", 400, media_type="text/plain")
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
            kind = "database" if is_storage_failure(exc) else "render"
            state.alarms.fail(f"{kind}: {what}", reason, datetime.now(UTC))
            if state.metrics is not None:
                state.metrics.serve_failures.labels(name).inc()
            event(
                "serving failed",
                logging.ERROR,
                path=request.url.path,
                error=reason,
                traceback=traceback.format_exc(limit=8),
            )
            return Response("Interner Fehler; siehe /healthz\n", 500, media_type="text/plain")
        state.alarms.ok(f"render: {what}")
        state.alarms.ok(f"database: {what}")
        return response

    return run
