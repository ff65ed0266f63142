"""The digest driver over a real store, with the SMTP edge replaced by a recorder: what
each recipient's period holds, across a failed send, an empty period and the campaign's
summary."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import parse_config
from aggregator.deliver.digests import deliver_period
from aggregator.publish.periods import SUMMARY, due_period
from aggregator.store.database import Store
from tests.helpers.items import make_item

CONFIG = parse_config("""\
version: 1
campaigns:
  - id: aktionswoche-2022
    title: "Aktionswoche 2022"
    window: {start: 2022-06-20, end: 2022-06-26}
    match: {any: [Aktionswoche]}
mail: {host: smtp.kreis.example, sender: "Monitor <monitor@kreis.example>"}
digests:
  - {id: team, to: [a@kreis.example, b@kreis.example], campaign: aktionswoche-2022,
     schedule: during-campaign, at: "18:00"}
sources:
  - {id: spree-neisse, name: Landkreis Spree-Neiße, land: BB, kind: landkreis}
""")
DIGEST = CONFIG.digests[0]
CAMPAIGN = CONFIG.campaigns[0]


def store_campaign_items(store: Store, numbers: range, when: datetime) -> None:
    items = [
        make_item(
            f"link:e.de/{n}",
            url=f"https://e.de/{n}",
            fingerprint=f"f{n}",
            title=f"Aktionswoche Meldung {n}",
        )
        for n in numbers
    ]
    store.save_refresh("spree-neisse", items, [], when)
    store.replace_campaign(
        CAMPAIGN.id,
        "rules",
        [("spree-neisse", f"link:e.de/{n}", "any: Aktionswoche") for n in range(numbers.stop)],
    )


def run(store: Store, now: datetime, failing: set[str] = frozenset()) -> tuple[list, list]:  # type: ignore[type-arg, assignment]
    sent: list[EmailMessage] = []

    async def send(message: EmailMessage) -> str | None:
        if message["To"] in failing:
            return "SMTP: 451 später"
        sent.append(message)
        return None

    period = due_period(DIGEST, CAMPAIGN, now)
    assert period is not None
    outcomes = asyncio.run(
        deliver_period(store, CONFIG, DIGEST, period, "https://p.example", send, lambda: now)
    )
    return outcomes, sent


def test_a_failed_recipient_gets_the_missed_items_with_the_next_period(tmp_path: Path):
    store = Store(tmp_path / "driver.db", CLASSIFIER)
    first_day = datetime(2022, 6, 20, 16, tzinfo=UTC)  # 18:00 in Berlin
    store_campaign_items(store, range(3), first_day - timedelta(days=3))  # announced before
    outcomes, sent = run(store, first_day, failing={"b@kreis.example"})
    assert [(o.recipient, o.state, o.items) for o in outcomes] == [
        ("a@kreis.example", "sent", 3),
        ("b@kreis.example", "failed", 3),
    ]
    assert [m["To"] for m in sent] == ["a@kreis.example"]

    store_campaign_items(store, range(3, 5), first_day + timedelta(hours=2))
    outcomes, sent = run(store, first_day + timedelta(days=1))
    counts = {o.recipient: o.items for o in outcomes}
    assert counts == {"a@kreis.example": 2, "b@kreis.example": 5}  # b's missed three too

    outcomes, sent = run(store, first_day + timedelta(days=2))  # nothing new
    assert {o.state for o in outcomes} == {"empty"} and sent == []


def test_the_summary_holds_the_whole_campaign_once(tmp_path: Path):
    store = Store(tmp_path / "driver.db", CLASSIFIER)
    store_campaign_items(store, range(4), datetime(2022, 6, 21, 9, tzinfo=UTC))
    run(store, datetime(2022, 6, 21, 16, tzinfo=UTC))  # a daily with all four
    after = datetime(2022, 6, 27, 16, tzinfo=UTC)  # the day after the window, 18:00
    outcomes, sent = run(store, after)
    assert {(o.period, o.items) for o in outcomes} == {(SUMMARY, 4)}
    assert sent[0]["Subject"] == "Aktionswoche 2022 – Abschluss: 4 Meldungen von 1 Jobcenter"
    again, sent_again = run(store, after + timedelta(hours=3))
    assert again == [] and sent_again == []


def test_a_digest_sent_by_hand_says_its_time_in_berlin():
    """A digest sent at 09:55 UTC in winter is "Stand …, 10:55 Uhr", as the mail's Date
    says (issue 31, 4)."""
    from aggregator.deliver.digests import now_period

    period = now_period(DIGEST, CONFIG, datetime(2026, 12, 3, 9, 55, tzinfo=UTC))
    assert period.label == "Stand Donnerstag, 3. Dezember 2026, 10:55 Uhr"


DAILY = parse_config("""\
version: 1
mail: {host: smtp.kreis.example, sender: "Monitor <monitor@kreis.example>"}
digests:
  - {id: morgens, to: [a@kreis.example], schedule: daily, at: "08:00"}
sources:
  - {id: spree-neisse, name: Landkreis Spree-Neiße, land: BB, kind: landkreis}
""")


def test_a_new_daily_digest_waits_for_its_first_slot(tmp_path: Path) -> None:
    """Configured at 10:55 for 08:00, it does not go out at once with everything stored
    but at 08:00 the next morning (issue 31, 4)."""
    from aggregator.deliver.digests import due_digests

    store = Store(tmp_path / "d.db", CLASSIFIER)
    configured = datetime(2026, 12, 7, 9, 55, tzinfo=UTC)  # 10:55 in Berlin
    assert due_digests(store, DAILY, configured) == []
    assert due_digests(store, DAILY, configured + timedelta(hours=12)) == []
    next_morning = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    [(digest, period)] = due_digests(store, DAILY, next_morning)
    assert digest.id == "morgens" and period.key == "2026-12-08"
    store.close()


def test_a_digest_known_before_todays_slot_is_due_now(tmp_path: Path) -> None:
    from aggregator.deliver.digests import due_digests

    store = Store(tmp_path / "d.db", CLASSIFIER)
    store.digest_known_since("morgens", datetime(2026, 11, 1, tzinfo=UTC))
    later = datetime(2026, 12, 7, 9, 55, tzinfo=UTC)
    assert [p.key for _, p in due_digests(store, DAILY, later)] == ["2026-12-07"]
    store.close()
