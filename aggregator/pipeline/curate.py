"""What an editor decides, from the CLI or the dashboard, carried into the store: a
campaign decision reaches the campaign's phases too, a corrected date re-judges the
item's campaigns, and an item is named by its link, Atom id or `source id/key`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aggregator.classify.campaigns import matching
from aggregator.config.schema import Config
from aggregator.core.kinds import DecisionKind
from aggregator.core.model import Entry
from aggregator.core.time import BERLIN
from aggregator.errors import CurationError, FetchError, ParseError
from aggregator.fetch.addresses import operator_urls
from aggregator.fetch.client import Fetched
from aggregator.normalize.entries import atom_id, canonical_or_none
from aggregator.pipeline.ports import Getter
from aggregator.pipeline.targets import configured_urls
from aggregator.store.curation import Decision
from aggregator.store.database import Store
from aggregator.worker.tasks import Origin, read_detail_page

MAX_REASON = 500  # characters


@dataclass(frozen=True)
class Taken:
    """What one decision did: the ids it was logged under (none: it changed nothing)."""

    ids: tuple[int, ...]
    item: tuple[str, str]


def _reason(reason: str, by: str) -> tuple[str, str]:
    reason, by = " ".join(reason.split()), " ".join(by.split())
    if not reason:
        raise CurationError("every decision needs a reason (--reason)")
    if not by:
        raise CurationError("every decision needs the name of who takes it (--by)")
    return reason[:MAX_REASON], by[:100]


def item_of(store: Store, reference: str) -> tuple[str, str]:
    """The item a reference names: its link, its Atom id (urn:uuid:…) or `source id/key`."""
    reference = reference.strip()
    if reference.startswith("urn:uuid:"):
        found = next((i for i in store.identities() if atom_id(*i) == reference), None)
    else:
        found = store.find_item(reference)
    if found is None:
        raise CurationError(f"no stored item is {reference!r} (its link or Atom id)")
    return found


def with_phases(config: Config, campaign_id: str) -> list[str]:
    """The campaign and, for a campaign with phases, each of its phases."""
    try:
        config.campaign(campaign_id)
    except KeyError:
        known = ", ".join(c.id for c in config.campaigns) or "none"
        raise CurationError(f"unknown campaign {campaign_id!r}; known: {known}") from None
    return [campaign_id, *(c.id for c in config.campaigns if c.phase_of == campaign_id)]


def decide(  # noqa: PLR0913 - one decision, all of it named
    config: Config,
    store: Store,
    member: bool,
    campaign_id: str,
    reference: str,
    reason: str,
    by: str,
    now: datetime,
) -> Taken:
    """Take an item into (`member`) or out of a campaign and its phases."""
    reason, by = _reason(reason, by)
    item = item_of(store, reference)
    campaigns = with_phases(config, campaign_id)
    if member:
        campaigns = campaigns[:1]  # into the one named: a phase has its own window
    return Taken(tuple(store.decide_membership(campaigns, item, member, reason, by, now)), item)


def regroup(
    store: Store,
    reference: str,
    into: str | None,
    reason: str,
    by: str,
    now: datetime,
) -> Taken:
    """Split an item off its joint-release group (`into` None) or merge it into the
    group of the item `into` names."""
    reason, by = _reason(reason, by)
    item = item_of(store, reference)
    stored = store.item(*item)
    assert stored is not None
    if into is None:
        if stored.group_size < 2:
            raise CurationError("the item is in no joint release: nothing to split")
        return Taken((store.regroup(item, None, reason, by, now),), item)
    other = item_of(store, into)
    if other == item:
        raise CurationError("an item cannot be merged with itself")
    target = store.item(*other)
    if target is not None and target.group_id and target.group_id == stored.group_id:
        raise CurationError("both are in the same joint release already")
    return Taken((store.regroup(item, other, reason, by, now),), item)


def day_or_time(text: str) -> datetime:
    """'27.08.2019', '2019-08-27' or either with ' 10:30': Berlin time, aware."""
    text = " ".join(text.split())
    for form in ("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, form)
        except ValueError:
            continue
        return parsed.replace(tzinfo=BERLIN)
    raise CurationError(f"not a date: {text!r} (27.08.2019 or 27.08.2019 10:30)")


def correct(  # noqa: PLR0913 - one decision, all of it named
    config: Config,
    store: Store,
    kind: DecisionKind,
    reference: str,
    value: str,
    reason: str,
    by: str,
    now: datetime,
) -> Taken:
    """Correct an item's title or date; a new date re-judges its campaigns."""
    reason, by = _reason(reason, by)
    item = item_of(store, reference)
    if kind is DecisionKind.TITLE:
        title = " ".join(value.split())
        if not title:
            raise CurationError("a title cannot be empty")
        return Taken((store.correct_item(kind, item, title[:300], reason, by, now),), item)
    when = day_or_time(value)
    if when.date() > now.astimezone(BERLIN).date() or when.date() < date(1990, 1, 1):
        raise CurationError(f"{value!r} cannot be a publication date")
    decision = store.correct_item(kind, item, when, reason, by, now)
    _rejudge(config, store, item)
    return Taken((decision,), item)


def undo(config: Config, store: Store, decision_id: int, by: str, now: datetime) -> Decision:
    """Undo a decision (NotUndoable: none such, undone, or a later one rests on it)."""
    _, by = _reason("undo", by)
    undone = store.undo_decision(decision_id, by, now)
    if undone.kind is DecisionKind.DATE:
        _rejudge(config, store, (undone.source_id, undone.key))
    return undone


async def add_release(  # noqa: PLR0913 - one decision, all of it named
    config: Config,
    store: Store,
    getter: Getter,
    source_id: str,
    url: str,
    campaign_id: str | None,
    reason: str,
    by: str,
    now: datetime,
) -> Taken:
    """A release the source's pages did not yield, read from its address like a detail
    page and stored as the source's item; taken into `campaign_id` if the rules do not
    put it there. Only the source's own configured sites may be internal addresses."""
    reason, by = _reason(reason, by)
    try:
        source = config.source(source_id)
    except KeyError:
        raise CurationError(f"unknown source {source_id!r}") from None
    campaigns = with_phases(config, campaign_id)[:1] if campaign_id else []
    if canonical_or_none(url, url) is None or not url.startswith(("http://", "https://")):
        raise CurationError(f"not a web address: {url!r}")
    try:
        with operator_urls(configured_urls(source)):
            response = await getter.get(url, timeouts=config.timeouts(source))
    except FetchError as exc:
        raise CurationError(f"{url} could not be fetched: {exc}") from None
    if not isinstance(response, Fetched):
        raise CurationError(f"{url} answered without a document")
    try:
        item, _ = read_detail_page(
            response.body,
            response.headers,
            response.final_url,
            Entry(title="", link=url),
            url,
            True,
            Origin(source_id, url, now),
        )
    except ParseError as exc:
        raise CurationError(f"{url} could not be read: {exc}") from None
    if item is None or not item.title:
        raise CurationError(f"no release could be read at {url}")
    verdicts = matching(item, source, config.campaigns)
    store.save_refresh(source_id, [item], [], now, {item.key: verdicts})
    stored = item_of(store, item.url or url)
    ids = [store.log_added(stored, url, reason, by, now)]
    if campaigns:
        ids += store.decide_membership(campaigns, stored, True, reason, by, now)
    return Taken(tuple(ids), stored)


def _rejudge(config: Config, store: Store, item: tuple[str, str]) -> None:
    stored = store.item(*item)
    if stored is None:
        return
    sources = {source.id: source for source in config.sources}
    verdicts = matching(stored.item, sources.get(item[0]), config.campaigns)
    store.judge_item(*item, verdicts)
