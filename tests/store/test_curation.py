"""The store's decision log (issue 32): editors' decisions over the rules' verdicts,
kept with who, when, why, before and after, undoable, and never undone by a refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.classify.judge import CLASSIFIER
from aggregator.core.kinds import DatedBy, DecisionKind
from aggregator.errors import NotUndoable
from aggregator.normalize.entries import atom_id
from aggregator.store.database import Store
from aggregator.store.rows import to_text
from tests.helpers.items import make_item

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CAMPAIGN = "aktionswoche-2019"
IN = ("spree-neisse", "in")  # the rules put it into the campaign
OUT = ("spree-neisse", "out")  # the rules did not


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "c.db", CLASSIFIER)
    items = [
        make_item("in", url="https://e.de/in", title="Aktionswoche im Jobcenter", fingerprint="i"),
        make_item("out", url="https://e.de/out", title="Tag der offenen Tür", fingerprint="o"),
    ]
    store.save_refresh("spree-neisse", items, [], T0)
    store.replace_campaign(CAMPAIGN, "rules-1", [(*IN, "any: Aktionswoche")])
    return store


def _members(store: Store) -> list[str]:
    return [s.item.key for s in store.items(campaign_id=CAMPAIGN)]


def test_an_exclusion_takes_an_item_out_and_survives_new_rules(store: Store) -> None:
    [decision] = store.decide_membership([CAMPAIGN], IN, False, "Kein Kampagnenbezug", "anna", T0)
    assert _members(store) == []
    assert store.item(*IN) is not None and store.item(*IN).campaigns == ()  # type: ignore[union-attr]
    store.replace_campaign(CAMPAIGN, "rules-2", [(*IN, "any: Aktionswoche")])  # rules tuned
    assert _members(store) == []  # a change of rules never overrides a person
    [logged] = store.decisions(item=IN)
    assert (logged.id, logged.kind, logged.by, logged.reason) == (
        decision,
        DecisionKind.EXCLUDE,
        "anna",
        "Kein Kampagnenbezug",
    )
    assert (logged.before, logged.after, logged.campaign_id) == ("in", "out", CAMPAIGN)


def test_an_undo_puts_back_what_was_in_force_and_keeps_the_record(store: Store) -> None:
    [first] = store.decide_membership([CAMPAIGN], IN, False, "falsch", "anna", T0)
    store.undo_decision(first, "ben", T0 + timedelta(minutes=5))
    assert _members(store) == ["in"]
    [logged] = store.decisions(item=IN)
    assert logged.undone and logged.undone_by == "ben"
    with pytest.raises(NotUndoable):
        store.undo_decision(first, "ben", T0)


def test_an_inclusion_adds_what_the_rules_missed_with_the_editors_reason(store: Store) -> None:
    store.decide_membership([CAMPAIGN], OUT, True, "Teil der Aktionswoche", "anna", T0)
    assert sorted(_members(store)) == ["in", "out"]
    assert store.campaign_reasons(CAMPAIGN)[OUT] == "von anna aufgenommen: Teil der Aktionswoche"
    assert CAMPAIGN in store.item(*OUT).campaigns  # type: ignore[union-attr]


def test_only_the_latest_decision_on_a_thing_can_be_undone(store: Store) -> None:
    [out] = store.decide_membership([CAMPAIGN], IN, False, "erst raus", "anna", T0)
    [back] = store.decide_membership([CAMPAIGN], IN, True, "doch rein", "ben", T0)
    with pytest.raises(NotUndoable, match=f"decision {back} rests on it"):
        store.undo_decision(out, "anna", T0)
    store.undo_decision(back, "anna", T0)
    assert _members(store) == []  # the exclusion is in force again
    store.undo_decision(out, "anna", T0)
    assert _members(store) == ["in"]


def test_a_decision_that_changes_nothing_is_not_logged(store: Store) -> None:
    assert store.decide_membership([CAMPAIGN], IN, True, "ist schon drin", "anna", T0) == []
    assert store.decisions() == []


def test_corrections_win_over_every_later_refresh_until_undone(store: Store) -> None:
    fixed = datetime(2019, 8, 27, 8, 0, tzinfo=UTC)
    title = store.correct_item(
        DecisionKind.TITLE, IN, "Aktionswoche: Tag der offenen Tür", "Tippfehler", "anna", T0
    )
    store.correct_item(DecisionKind.DATE, IN, fixed, "Datum laut PDF", "anna", T0)
    changed = make_item(
        "in",
        url="https://e.de/in",
        title="Aktionswoche im Jobcentr",
        summary_text="neu",
        fingerprint="i2",
    )
    store.save_refresh("spree-neisse", [changed], [], T0 + timedelta(hours=1))
    item = store.item(*IN)
    assert item is not None
    assert item.item.title == "Aktionswoche: Tag der offenen Tür"
    assert item.item.published == fixed and item.item.dated_by is DatedBy.EDITOR
    assert item.item.summary_text == "neu"  # what nobody corrected follows the source
    store.undo_decision(title, "anna", T0)
    assert store.item(*IN).item.title == "Aktionswoche im Jobcentr"  # type: ignore[union-attr]
    [date_fix, title_fix] = store.decisions(item=IN)
    assert date_fix.before == to_text(make_item().published) and date_fix.after == to_text(fixed)
    assert title_fix.before == "Aktionswoche im Jobcenter" and title_fix.undone


def test_an_item_is_found_by_link_atom_id_or_source_and_key(store: Store) -> None:
    from aggregator.errors import CurationError
    from aggregator.pipeline.curate import item_of

    assert item_of(store, "https://e.de/in") == IN
    assert item_of(store, atom_id(*IN)) == IN
    assert item_of(store, "spree-neisse/out") == OUT
    with pytest.raises(CurationError):
        item_of(store, "https://e.de/nirgends")


def _joint(store: Store) -> None:
    """The same long text from three sources: one joint-release group."""
    from tests.helpers.items import JOINT

    for source in ("oder-spree", "uckermark", "elbe-elster"):
        item = make_item(
            "joint",
            source_id=source,
            url=f"https://{source}.de/j",
            summary_text=JOINT,
            fingerprint=f"j-{source}",
        )
        store.save_refresh(source, [item], [], T0)


def _group(store: Store, source: str) -> str | None:
    stored = store.item(source, "joint")
    assert stored is not None
    return stored.group_id


def test_a_split_item_leaves_its_group_and_stays_out_after_refreshes(store: Store) -> None:
    from tests.helpers.items import JOINT

    _joint(store)
    group = _group(store, "oder-spree")
    assert group and _group(store, "uckermark") == group == _group(store, "elbe-elster")
    split = store.regroup(("uckermark", "joint"), None, "eigene Meldung", "anna", T0)
    assert _group(store, "uckermark") is None and _group(store, "oder-spree") == group
    changed = make_item(
        "joint",
        source_id="uckermark",
        url="https://uckermark.de/j",
        summary_text=JOINT + " Ergänzt.",
        fingerprint="j2",
    )
    store.save_refresh("uckermark", [changed], [], T0 + timedelta(hours=1))
    assert _group(store, "uckermark") is None  # a refresh does not regroup it
    store.undo_decision(split, "anna", T0)
    assert _group(store, "uckermark") == group


def test_a_merged_item_joins_the_other_group(store: Store) -> None:
    _joint(store)
    group = _group(store, "oder-spree")
    merged = store.regroup(IN, ("oder-spree", "joint"), "gleiche Meldung", "anna", T0)
    assert store.item(*IN).group_id == group  # type: ignore[union-attr]
    assert store.item(*IN).group_size == 4  # type: ignore[union-attr]
    [logged] = store.decisions(item=IN)
    assert (logged.id, logged.kind, logged.after) == (merged, DecisionKind.MERGE, group)
