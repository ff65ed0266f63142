"""Editors' decisions on what a campaign shows (schema migration 22).

Every decision is a row of `decisions`, never deleted: who, when, why, the value before
and after. Undoing one marks it undone and puts back what was in force before it. What
is in force is kept beside the log, where the reads use it: `campaign_overrides` (an item
taken into or out of a campaign, over the rules' verdict, which stays in item_campaigns)
and the items' `title_fixed` and `published_fixed`, which no refresh writes. So a later
refresh or a change of rules never undoes a person's decision.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from aggregator.core.judging import Judge, group_id_for
from aggregator.core.kinds import DecisionKind
from aggregator.errors import NotUndoable
from aggregator.store.groups import drop_band_keys, stored_band_keys
from aggregator.store.rows import from_text, stored_time, to_text
from aggregator.store.storage import Storage


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    kind: DecisionKind
    campaign_id: str | None
    source_id: str
    key: str
    reason: str
    by: str
    at: datetime
    before: str | None
    after: str | None
    undone_at: datetime | None = None
    undone_by: str | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(
        row["id"],
        DecisionKind(row["kind"]),
        row["campaign_id"],
        row["source_id"],
        row["key"],
        row["reason"],
        row["by"],
        stored_time(row["at"]),
        row["before"],
        row["after"],
        from_text(row["undone_at"]),
        row["undone_by"],
    )


def _log(  # noqa: PLR0913 - one row of the log, all of it named
    conn: sqlite3.Connection,
    kind: DecisionKind,
    campaign_id: str | None,
    item: tuple[str, str],
    reason: str,
    by: str,
    now: datetime,
    before: str | None,
    after: str | None,
) -> int:
    (decision_id,) = conn.execute(
        "INSERT INTO decisions (kind, campaign_id, source_id, key, reason, by, at, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (kind, campaign_id, *item, reason, by, to_text(now), before, after),
    ).fetchone()
    return int(decision_id)


def membership(conn: sqlite3.Connection, campaign_id: str, item: tuple[str, str]) -> str:
    """'in' or 'out': what the campaign shows of the item now (override, else rules)."""
    row = conn.execute(
        "SELECT member FROM campaign_overrides WHERE campaign_id = ? AND source_id = ? AND key = ?",
        (campaign_id, *item),
    ).fetchone()
    if row is not None:
        return "in" if row[0] else "out"
    ruled = conn.execute(
        "SELECT 1 FROM item_campaigns WHERE campaign_id = ? AND source_id = ? AND key = ?",
        (campaign_id, *item),
    ).fetchone()
    return "in" if ruled else "out"


def decide_membership(
    conn: sqlite3.Connection,
    campaign_ids: list[str],
    item: tuple[str, str],
    member: bool,
    reason: str,
    by: str,
    now: datetime,
) -> list[int]:
    """Take the item into (`member`) or out of each campaign (a campaign and its phases);
    one logged decision per campaign whose showing changes. Returns their ids."""
    kind = DecisionKind.INCLUDE if member else DecisionKind.EXCLUDE
    ids = []
    for campaign_id in campaign_ids:
        before = membership(conn, campaign_id, item)
        after = "in" if member else "out"
        ruled = conn.execute(
            "SELECT 1 FROM item_campaigns WHERE campaign_id = ? AND source_id = ? AND key = ?",
            (campaign_id, *item),
        ).fetchone()
        if before == after and (ruled is not None) == member:
            continue  # the rules already show it so, and no person said otherwise
        decision = _log(conn, kind, campaign_id, item, reason, by, now, before, after)
        conn.execute(
            "INSERT INTO campaign_overrides (campaign_id, source_id, key, member, decision) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, source_id, key) DO UPDATE "
            "SET member = excluded.member, decision = excluded.decision",
            (campaign_id, *item, int(member), decision),
        )
        ids.append(decision)
    return ids


_FIXED = {DecisionKind.TITLE: "title_fixed", DecisionKind.DATE: "published_fixed"}


def correct(
    conn: sqlite3.Connection,
    kind: DecisionKind,
    item: tuple[str, str],
    value: str | datetime,
    reason: str,
    by: str,
    now: datetime,
) -> int:
    """Correct an item's title (a text) or date (an aware datetime); logged."""
    value = to_text(value) if isinstance(value, datetime) else value
    column = _FIXED[kind]
    plain = "title" if kind is DecisionKind.TITLE else "published"
    before = conn.execute(
        f"SELECT coalesce({column}, {plain}) FROM items WHERE source_id = ? AND key = ?", item
    ).fetchone()
    if before is None:
        raise KeyError(item)
    decision = _log(conn, kind, None, item, reason, by, now, before[0], value)
    conn.execute(f"UPDATE items SET {column} = ? WHERE source_id = ? AND key = ?", (value, *item))
    return decision


def log_added(
    conn: sqlite3.Connection, item: tuple[str, str], url: str, reason: str, by: str, now: datetime
) -> int:
    """Log a release an editor added by its address (stored beforehand like any item)."""
    return _log(conn, DecisionKind.ADD, None, item, reason, by, now, None, url)


def _forget_added(
    conn: sqlite3.Connection, judge: Judge, decision: Decision, item: tuple[str, str]
) -> None:
    """Undoing an addition: the item goes, unless a refresh has found it on the source's
    own pages since (then it stays as the source's); no later decision may rest on it."""
    resting = conn.execute(
        "SELECT id FROM decisions WHERE id > ? AND source_id = ? AND key = ? AND undone_at IS NULL",
        (decision.id, *item),
    ).fetchone()
    if resting is not None:
        raise NotUndoable(f"decision {resting[0]} rests on it; undo that first")
    row = conn.execute(
        "SELECT seq, fetched_from FROM items WHERE source_id = ? AND key = ?", item
    ).fetchone()
    if row is None or row["fetched_from"] != decision.after:
        return  # gone already, or found by the source's own pages since
    drop_band_keys(conn, row["seq"], stored_band_keys(conn, judge, row["seq"]))
    for table in ("item_campaigns", "campaign_overrides", "detail_queue", "items"):
        conn.execute(f"DELETE FROM {table} WHERE source_id = ? AND key = ?", item)


def regroup(
    conn: sqlite3.Connection,
    item: tuple[str, str],
    into: tuple[str, str] | None,
    reason: str,
    by: str,
    now: datetime,
) -> int:
    """Split an item off its joint-release group (`into` None) or merge it into the group
    of the item `into` (which founds one if it has none). Either way no refresh regroups
    it. Logged with the group before and after."""
    row = conn.execute("SELECT group_id FROM items WHERE source_id = ? AND key = ?", item)
    before = row.fetchone()
    if before is None:
        raise KeyError(item)
    if into is None:
        after, kind = None, DecisionKind.SPLIT
    else:
        target = conn.execute(
            "SELECT group_id FROM items WHERE source_id = ? AND key = ?", into
        ).fetchone()
        if target is None:
            raise KeyError(into)
        after, kind = target[0] or group_id_for(*into), DecisionKind.MERGE
        conn.execute(
            "UPDATE items SET group_id = ?, group_fixed = 1 WHERE source_id = ? AND key = ? "
            "AND group_id IS NULL",
            (after, *into),
        )
    decision = _log(conn, kind, None, item, reason, by, now, before[0], after)
    conn.execute(
        "UPDATE items SET group_id = ?, group_fixed = 1 WHERE source_id = ? AND key = ?",
        (after, *item),
    )
    return decision


def _restore_group(conn: sqlite3.Connection, decision: Decision, item: tuple[str, str]) -> None:
    earlier = _previous(conn, decision, ("split", "merge"))
    conn.execute(
        "UPDATE items SET group_id = ?, group_fixed = ? WHERE source_id = ? AND key = ?",
        (decision.before, int(earlier is not None), *item),
    )


def undo(
    conn: sqlite3.Connection, judge: Judge, decision_id: int, by: str, now: datetime
) -> Decision:
    """Undo a decision: what was in force before it is again. Only the latest decision
    in force for the same thing (item, and campaign or field) can be undone."""
    row = conn.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)).fetchone()
    if row is None:
        raise NotUndoable(f"no decision {decision_id}")
    decision = _decision(row)
    if decision.undone:
        raise NotUndoable(f"decision {decision_id} was undone already")
    later = conn.execute(
        "SELECT id FROM decisions WHERE id > ? AND source_id = ? AND key = ? AND undone_at IS NULL "
        "AND coalesce(campaign_id, '') = coalesce(?, '') AND (kind = ? "
        "OR (kind IN ('include', 'exclude') AND ? IN ('include', 'exclude')) "
        "OR (kind IN ('split', 'merge') AND ? IN ('split', 'merge')))",
        (
            decision_id,
            decision.source_id,
            decision.key,
            decision.campaign_id,
            decision.kind,
            decision.kind,
            decision.kind,
        ),
    ).fetchone()
    if later is not None:
        raise NotUndoable(f"decision {later[0]} rests on it; undo that first")
    conn.execute(
        "UPDATE decisions SET undone_at = ?, undone_by = ? WHERE id = ?",
        (to_text(now), by, decision_id),
    )
    item = (decision.source_id, decision.key)
    if decision.kind is DecisionKind.ADD:
        _forget_added(conn, judge, decision, item)
    elif decision.kind in (DecisionKind.SPLIT, DecisionKind.MERGE):
        _restore_group(conn, decision, item)
    elif decision.kind in _FIXED:
        _restore_field(conn, decision, item)
    else:
        _restore_membership(conn, decision, item)
    return decision


def _previous(
    conn: sqlite3.Connection, decision: Decision, kinds: tuple[str, ...]
) -> Decision | None:
    marks = ",".join("?" * len(kinds))
    row = conn.execute(
        f"SELECT * FROM decisions WHERE id < ? AND source_id = ? AND key = ? AND kind IN ({marks}) "
        "AND coalesce(campaign_id, '') = coalesce(?, '') AND undone_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (decision.id, decision.source_id, decision.key, *kinds, decision.campaign_id),
    ).fetchone()
    return _decision(row) if row is not None else None


def _restore_field(conn: sqlite3.Connection, decision: Decision, item: tuple[str, str]) -> None:
    earlier = _previous(conn, decision, (decision.kind,))
    value = earlier.after if earlier is not None else None
    conn.execute(
        f"UPDATE items SET {_FIXED[decision.kind]} = ? WHERE source_id = ? AND key = ?",
        (value, *item),
    )


def _restore_membership(
    conn: sqlite3.Connection, decision: Decision, item: tuple[str, str]
) -> None:
    earlier = _previous(conn, decision, ("include", "exclude"))
    if earlier is None:
        conn.execute(
            "DELETE FROM campaign_overrides WHERE campaign_id = ? AND source_id = ? AND key = ?",
            (decision.campaign_id, *item),
        )
        return
    conn.execute(
        "UPDATE campaign_overrides SET member = ?, decision = ? "
        "WHERE campaign_id = ? AND source_id = ? AND key = ?",
        (int(earlier.kind is DecisionKind.INCLUDE), earlier.id, decision.campaign_id, *item),
    )


def history(
    conn: sqlite3.Connection,
    item: tuple[str, str] | None = None,
    campaign_id: str | None = None,
    limit: int = 500,
) -> list[Decision]:
    """Decisions newest first: of one item, of one campaign (and corrections of its
    items), or all."""
    where: list[str] = []
    args: list[object] = []
    if item is not None:
        where.append("source_id = ? AND key = ?")
        args.extend(item)
    if campaign_id is not None:
        where.append(
            "(campaign_id = ? OR (campaign_id IS NULL AND EXISTS (SELECT 1 FROM item_campaigns c "
            "WHERE c.campaign_id = ? AND c.source_id = decisions.source_id "
            "AND c.key = decisions.key)))"
        )
        args.extend([campaign_id, campaign_id])
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT * FROM decisions{clause} ORDER BY id DESC LIMIT ?", (*args, limit)
    ).fetchall()
    return [_decision(row) for row in rows]


def overrides(conn: sqlite3.Connection, campaign_id: str) -> dict[tuple[str, str], Decision]:
    """The decisions in force on a campaign's membership, by item."""
    rows = conn.execute(
        "SELECT d.* FROM campaign_overrides o JOIN decisions d ON d.id = o.decision "
        "WHERE o.campaign_id = ?",
        (campaign_id,),
    ).fetchall()
    return {(row["source_id"], row["key"]): _decision(row) for row in rows}


class CurationStorage(Storage):
    """The store's decision log and what is in force of it (a part of Store)."""

    def decide_membership(
        self,
        campaign_ids: list[str],
        item: tuple[str, str],
        member: bool,
        reason: str,
        by: str,
        now: datetime,
    ) -> list[int]:
        with self.transaction() as conn:
            return decide_membership(conn, campaign_ids, item, member, reason, by, now)

    def correct_item(
        self,
        kind: DecisionKind,
        item: tuple[str, str],
        value: str | datetime,
        reason: str,
        by: str,
        now: datetime,
    ) -> int:
        with self.transaction() as conn:
            return correct(conn, kind, item, value, reason, by, now)

    def log_added(
        self, item: tuple[str, str], url: str, reason: str, by: str, now: datetime
    ) -> int:
        with self.transaction() as conn:
            return log_added(conn, item, url, reason, by, now)

    def regroup(
        self,
        item: tuple[str, str],
        into: tuple[str, str] | None,
        reason: str,
        by: str,
        now: datetime,
    ) -> int:
        with self.transaction() as conn:
            return regroup(conn, item, into, reason, by, now)

    def undo_decision(self, decision_id: int, by: str, now: datetime) -> Decision:
        with self.transaction() as conn:
            return undo(conn, self._judge, decision_id, by, now)

    def decisions(
        self, item: tuple[str, str] | None = None, campaign_id: str | None = None
    ) -> list[Decision]:
        return history(self._conn, item, campaign_id)

    def campaign_decisions(self, campaign_id: str) -> dict[tuple[str, str], Decision]:
        return overrides(self._conn, campaign_id)

    def find_item(self, reference: str) -> tuple[str, str] | None:
        """An item by its link or `source id/key`."""
        return find(self._conn, reference)

    def identities(self) -> list[tuple[str, str]]:
        """Every item's (source id, key), for finding one by a derived id."""
        rows = self._conn.execute("SELECT source_id, key FROM items")
        return [(source_id, key) for source_id, key in rows]


def find(conn: sqlite3.Connection, reference: str) -> tuple[str, str] | None:
    reference = reference.strip()
    row = conn.execute(
        "SELECT source_id, key FROM items WHERE url = ? ORDER BY seq LIMIT 1", (reference,)
    ).fetchone()
    if row is not None:
        return row[0], row[1]
    source_id, _, key = reference.partition("/")
    row = conn.execute(
        "SELECT source_id, key FROM items WHERE source_id = ? AND key = ?", (source_id, key)
    ).fetchone()
    return (row[0], row[1]) if row is not None else None
