"""`aggregator users`: accounts with argon2id hashes, passwords only from standard input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers.cli import run_cli


def _users(db: Path, *args: str, password: str | None = None) -> tuple[int, str]:
    done = run_cli(
        "--db",
        str(db),
        "users",
        *args,
        stdin=None if password is None else f"{password}\n".encode(),
    )
    return done.returncode, done.stdout.decode() + done.stderr.decode()


def test_accounts_are_added_listed_changed_and_removed(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    assert _users(db, "add", "anna", "--role", "editor", password="lange geheime Phrase")[0] == 0
    assert _users(db, "add", "ben", "--role", "viewer", password="noch eine Phrase")[0] == 0
    code, said = _users(db, "add", "anna", "--role", "viewer", password="irgendwas Langes")
    assert code == 2 and "already" in said
    code, said = _users(db, "add", "carl", "--role", "editor", password="kurz")
    assert code == 2 and "at least 10 characters" in said
    code, said = _users(db, "add", "eve; drop", "--role", "editor", password="lange Phrase!")
    assert code == 2 and "user name" in said
    code, listed = _users(db, "list")
    assert code == 0 and "anna" in listed and "editor" in listed and "viewer" in listed
    assert "argon2" not in listed  # hashes are never shown
    with sqlite3.connect(db) as conn:
        (before,) = conn.execute("SELECT hash FROM users WHERE name = 'anna'").fetchone()
    assert before.startswith("$argon2id$")
    assert _users(db, "passwd", "anna", password="eine neue lange Phrase")[0] == 0
    with sqlite3.connect(db) as conn:
        (after,) = conn.execute("SELECT hash FROM users WHERE name = 'anna'").fetchone()
    assert after != before and after.startswith("$argon2id$")
    assert _users(db, "remove", "ben")[0] == 0
    assert _users(db, "remove", "ben")[0] == 2
    assert "ben" not in _users(db, "list")[1]
