"""The hub's checks of a subscription request, before anything is verified: a topic of
ours, an http(s) callback outside private networks, a short secret, a bounded lease."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.schema import WebSub
from aggregator.store.database import Store
from aggregator.web.hub import PENDING, Document, Hub, HubBusy, HubRequestError, signature

TOPIC = "https://presse.example.org/feeds/all.atom"


def hub(tmp_path, settings: WebSub) -> Hub:
    known = {TOPIC: Document(b"<feed/>", '"e"', "application/atom+xml")}
    return Hub(
        lambda: settings,
        Store(tmp_path / "hub.db", CLASSIFIER),
        "https://presse.example.org/websub",
        known.get,
    )


def parse(tmp_path, form: dict[str, str], settings: WebSub | None = None):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        checked = hub(tmp_path, settings or WebSub())
        try:
            return await checked.parse(form)
        finally:
            await checked.aclose()

    return asyncio.run(run())


def request(**fields: str) -> dict[str, str]:
    return {
        "hub.mode": "subscribe",
        "hub.topic": TOPIC,
        "hub.callback": "https://reader.example/cb",
    } | fields


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"hub.mode": "publish"}, "hub.mode must be"),
        ({"hub.topic": "https://presse.example.org/feeds/nichts.atom"}, "not a feed of this hub"),
        ({"hub.callback": "ftp://reader.example/cb"}, "http(s) URL"),
        ({"hub.callback": "http://127.0.0.1:8080/cb"}, "private network"),
        ({"hub.callback": "http://[::1]/cb"}, "private network"),
        ({"hub.callback": "http://10.1.2.3/cb"}, "private network"),
        ({"hub.secret": "x" * 200}, "shorter than 200 bytes"),
        ({"hub.lease_seconds": "bald"}, "number of seconds"),
    ],
)
def test_requests_the_hub_refuses_at_once(tmp_path, fields, reason):
    with pytest.raises(HubRequestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(tmp_path, request(**fields))


def test_a_private_callback_is_taken_when_allowed_and_the_lease_is_bounded(tmp_path):
    allowed = WebSub(allow_private_callbacks=True, max_lease=timedelta(days=2))
    taken = parse(
        tmp_path,
        request(**{"hub.callback": "http://127.0.0.1:9/cb", "hub.lease_seconds": "9999999"}),
        allowed,
    )
    assert taken.lease == timedelta(days=2)
    default = parse(tmp_path, request())
    assert default.lease == timedelta(days=5) and default.secret is None


def test_the_signature_is_hmac_sha256_of_the_body():
    assert signature("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_a_flood_of_requests_is_told_to_wait(tmp_path):
    async def run() -> None:
        flooded = hub(tmp_path, WebSub())
        flooded._tasks.update(asyncio.create_task(asyncio.sleep(1)) for _ in range(PENDING))
        try:
            with pytest.raises(HubBusy):
                await flooded.parse(request())
        finally:
            for task in flooded._tasks:
                task.cancel()
            await flooded.aclose()

    asyncio.run(run())
