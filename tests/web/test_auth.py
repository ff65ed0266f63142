"""Login throttling and sessions over a real store (issue 32)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aggregator.classify.judge import CLASSIFIER
from aggregator.core.kinds import Role
from aggregator.store.database import Store
from aggregator.web.auth import THROTTLE_AFTER, csrf_for, local_target, log_in
from aggregator.web.passwords import hash_password, new_token

PASSWORD = "eine lange Passphrase"


def _store(tmp_path: Path) -> Store:
    from datetime import UTC, datetime

    store = Store(tmp_path / "a.db", CLASSIFIER)
    store.add_user("anna", Role.EDITOR, hash_password(PASSWORD), new_token(), datetime.now(UTC))
    return store


def test_an_account_is_throttled_whatever_the_address(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for n in range(THROTTLE_AFTER):
        done = asyncio.run(log_in(store, f"10.0.0.{n}", "Anna", "falsch falsch"))
        assert done.status == 401
    throttled = asyncio.run(log_in(store, "10.0.1.1", "anna", PASSWORD))
    assert throttled.status == 429 and throttled.token is None
    other = asyncio.run(log_in(store, "10.0.1.1", "ben", "falsch falsch"))
    assert other.status == 401  # another account from a fresh address is not throttled
    store.close()


def test_a_session_opens_and_its_csrf_token_is_bound_to_it(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    store = _store(tmp_path)
    done = asyncio.run(log_in(store, "10.0.0.1", "anna", PASSWORD))
    assert done.status == 303 and done.token
    session = store.session(done.token, datetime.now(UTC))
    assert session is not None and session.user == "anna" and session.role is Role.EDITOR
    assert csrf_for(done.token) != csrf_for(new_token())
    store.remove_user("anna")
    assert store.session(done.token, datetime.now(UTC)) is None  # ended with the account
    store.close()


def test_after_a_form_only_local_paths_are_followed() -> None:
    assert local_target("/item?source=a&key=b") == "/item?source=a&key=b"
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example", None, ""):
        assert local_target(outside) == "/"
