"""Migrations split into statements as SQLite reads them."""

from __future__ import annotations

from aggregator.store.migrate import statements
from aggregator.store.schema import MIGRATIONS


def test_a_trigger_body_stays_one_statement() -> None:
    script = """
    CREATE TABLE a (x INTEGER);
    CREATE TRIGGER a_gone AFTER DELETE ON a
    BEGIN
        DELETE FROM a WHERE x = OLD.x + 1;
        DELETE FROM a WHERE x = OLD.x - 1;
    END;
    INSERT INTO a VALUES (';');
    """
    found = statements(script)
    assert [s.split()[:2] for s in found] == [
        ["CREATE", "TABLE"],
        ["CREATE", "TRIGGER"],
        ["INSERT", "INTO"],
    ]
    assert found[1].endswith("END;") and found[2] == "INSERT INTO a VALUES (';');"


def test_every_migration_splits_into_whole_statements() -> None:
    for script in MIGRATIONS:
        parts = statements(script)
        assert parts and "".join(parts).replace(" ", "").replace("\n", "") == "".join(
            script.split()
        ).replace(" ", "")
