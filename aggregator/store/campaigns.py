"""Which items belong to which campaign (item_campaigns), and the digest of the rules
that judged them (campaign_rules): rules that change are judged anew."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from aggregator.core.judging import Verdict
from aggregator.store.storage import Storage


def set_campaigns(
    conn: sqlite3.Connection,
    source_id: str,
    key: str,
    verdicts: Sequence[Verdict],
    new: bool = False,
) -> None:
    """An item's campaigns; a `new` one has none to replace (items are never deleted)."""
    if not new:
        conn.execute("DELETE FROM item_campaigns WHERE source_id = ? AND key = ?", (source_id, key))
    conn.executemany(
        "INSERT INTO item_campaigns (source_id, key, campaign_id, reason) VALUES (?, ?, ?, ?)",
        [(source_id, key, v.campaign_id, v.reason) for v in verdicts if v.matched],
    )


def digest(conn: sqlite3.Connection, campaign_id: str) -> str | None:
    row = conn.execute(
        "SELECT digest FROM campaign_rules WHERE campaign_id = ?", (campaign_id,)
    ).fetchone()
    return row[0] if row else None


def replace_members(
    conn: sqlite3.Connection, campaign_id: str, rules: str, members: Iterable[tuple[str, str, str]]
) -> None:
    """After the rules changed: the campaign's members (source id, key, reason) anew."""
    conn.execute("DELETE FROM item_campaigns WHERE campaign_id = ?", (campaign_id,))
    conn.executemany(
        "INSERT INTO item_campaigns (source_id, key, campaign_id, reason) VALUES (?, ?, ?, ?)",
        [(source_id, key, campaign_id, reason) for source_id, key, reason in members],
    )
    conn.execute(
        "INSERT INTO campaign_rules (campaign_id, digest) VALUES (?, ?) "
        "ON CONFLICT (campaign_id) DO UPDATE SET digest = excluded.digest",
        (campaign_id, rules),
    )


def forget_except(conn: sqlite3.Connection, campaign_ids: Iterable[str]) -> None:
    keep = list(campaign_ids)
    marks = ",".join("?" * len(keep))
    for table in ("item_campaigns", "campaign_rules"):
        conn.execute(f"DELETE FROM {table} WHERE campaign_id NOT IN ({marks})", keep)


def reasons(conn: sqlite3.Connection, campaign_id: str) -> dict[tuple[str, str], str]:
    """Why each member is in the campaign, by (source id, key): the rule that matched,
    or the editor who took it in and why."""
    found = {
        (source_id, key): reason
        for source_id, key, reason in conn.execute(
            "SELECT source_id, key, reason FROM item_campaigns WHERE campaign_id = ?",
            (campaign_id,),
        )
    }
    for source_id, key, by, reason in conn.execute(
        "SELECT o.source_id, o.key, d.by, d.reason FROM campaign_overrides o "
        "JOIN decisions d ON d.id = o.decision WHERE o.campaign_id = ? AND o.member = 1",
        (campaign_id,),
    ):
        found[(source_id, key)] = f"von {by} aufgenommen: {reason}"
    return found


class CampaignStorage(Storage):
    """Each campaign's members and the digest of the rules that chose them (a part of
    Store)."""

    def campaign_digest(self, campaign_id: str) -> str | None:
        return digest(self._conn, campaign_id)

    def replace_campaign(
        self, campaign_id: str, digest: str, members: Iterable[tuple[str, str, str]]
    ) -> None:
        """After the rules changed: the campaign's members (source id, key, reason) anew."""
        with self.transaction() as conn:
            replace_members(conn, campaign_id, digest, members)

    def judge_item(self, source_id: str, key: str, verdicts: Sequence[Verdict]) -> None:
        """One item's campaigns anew (its date was corrected)."""
        with self.transaction() as conn:
            set_campaigns(conn, source_id, key, verdicts)

    def campaign_reasons(self, campaign_id: str) -> dict[tuple[str, str], str]:
        """Why each member is in the campaign (the rule, or the editor), by (source id, key)."""
        return reasons(self._conn, campaign_id)

    def forget_campaigns_except(self, campaign_ids: Iterable[str]) -> None:
        with self.transaction() as conn:
            forget_except(conn, campaign_ids)
