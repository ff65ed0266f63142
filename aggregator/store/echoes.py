"""Which releases each press article echoes (schema migration 24), and a campaign's echo
read back for its outputs (the resonance table, the review's "Medienecho")."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from aggregator.core.model import Resonance
from aggregator.store.items import one
from aggregator.store.rows import IN_CAMPAIGN
from aggregator.store.storage import Storage

Link = tuple[str, str, float, tuple[str, ...]]  # release source, release key, score, evidence


def replace(conn: sqlite3.Connection, article: tuple[str, str], links: Iterable[Link]) -> None:
    conn.execute("DELETE FROM echoes WHERE article_source = ? AND article_key = ?", article)
    conn.executemany(
        "INSERT INTO echoes (article_source, article_key, release_source, release_key, score, "
        "evidence) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (*article, source, key, score, json.dumps(list(why), ensure_ascii=False))
            for source, key, score, why in links
        ],
    )


def of_campaign(conn: sqlite3.Connection, campaign_id: str) -> list[Resonance]:
    """The echoes of the campaign's releases (as the campaign shows them), newest first."""
    condition = IN_CAMPAIGN.replace("items.", "r.")
    rows = conn.execute(
        "SELECT e.* FROM echoes e JOIN items r ON r.source_id = e.release_source "
        f"AND r.key = e.release_key WHERE {condition}",
        [campaign_id] * 3,
    ).fetchall()
    found = []
    for row in rows:
        article = one(conn, row["article_source"], row["article_key"])
        release = one(conn, row["release_source"], row["release_key"])
        if article is not None and release is not None:
            why = tuple(json.loads(row["evidence"]))
            found.append(Resonance(article, release, row["score"], why))
    return sorted(found, key=lambda r: (r.article.item.published, r.article.item.key), reverse=True)


class EchoStorage(Storage):
    """The store's echo links (a part of Store)."""

    def save_echoes(self, article: tuple[str, str], links: Iterable[Link]) -> None:
        """What an article echoes, anew."""
        with self.transaction() as conn:
            replace(conn, article, links)

    def resonance(self, campaign_id: str) -> list[Resonance]:
        return of_campaign(self._conn, campaign_id)

    def echo_counts(self) -> dict[tuple[str, str], int]:
        """How many articles echo each release that has an echo."""
        rows = self._conn.execute(
            "SELECT release_source, release_key, count(*) FROM echoes "
            "GROUP BY release_source, release_key"
        )
        return {(source, key): count for source, key, count in rows}
