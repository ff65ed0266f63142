from dataclasses import replace
from datetime import UTC, datetime

from aggregator.config.schema import Source
from aggregator.core.lru import BoundedLRU
from aggregator.core.model import Item, StoredItem
from aggregator.publish.atom import EntryContext, FeedHead, format_time, render_feed
from tests.helpers.atom import ATOM, assert_valid_atom

SOURCE = Source(
    id="spree-neisse",
    name="Jobcenter Spree-Neiße",
    publisher="Landkreis Spree-Neiße – Pressestelle",
    land="BB",
    kind="landkreis",
    homepage="https://www.example-lk.de/",
)


def stored(key: str, published: datetime, **extra) -> StoredItem:
    item = Item(
        source_id="spree-neisse",
        key=key,
        url=f"https://www.example-lk.de/{key[-1]}.html",
        title="Aktionswoche & „Stark. Sozial. Vor Ort“",
        summary_html="<p>Text <b>fett</b></p>",
        summary_text="Text fett",
        content_html="",
        published=published,
        date_is_guess=False,
        fingerprint="f",
        fetched_from="u",
        **extra,
    )
    return StoredItem(item, first_seen=published, updated=published)


def render(items):
    head = FeedHead(
        "all",
        "Alle",
        "Alle Meldungen",
        "http://127.0.0.1:8080/feeds/all.atom",
        datetime(2019, 9, 1, tzinfo=UTC),
    )
    return render_feed(items, head, EntryContext({"spree-neisse": SOURCE}))


def test_feed_is_valid_rfc4287_with_source_per_entry():
    document = render(
        [
            stored("k1", datetime(2019, 8, 28, 7, tzinfo=UTC)),
            stored("k2", datetime(2019, 8, 20, tzinfo=UTC)),
        ]
    )
    root = assert_valid_atom(document)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        source = entry.find(f"{ATOM}source")
        assert source.findtext(f"{ATOM}title") == "Jobcenter Spree-Neiße"
        assert source.find(f"{ATOM}link").get("href") == "https://www.example-lk.de/"
        assert source.findtext(f"{ATOM}id").startswith("urn:uuid:")
        assert (
            entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
            == "Landkreis Spree-Neiße – Pressestelle"
        )
        terms = {c.get("term") for c in entry.findall(f"{ATOM}category")}
        assert terms == {"spree-neisse", "BB"}
    assert entries[0].findtext(f"{ATOM}title") == "Aktionswoche & „Stark. Sozial. Vor Ort“"
    assert entries[0].find(f"{ATOM}summary").get("type") == "html"
    assert entries[0].findtext(f"{ATOM}summary") == "<p>Text <b>fett</b></p>"
    assert (
        root.find(f"{ATOM}link[@rel='self']").get("href") == "http://127.0.0.1:8080/feeds/all.atom"
    )


def test_times_are_written_in_berlin_time():
    assert format_time(datetime(2019, 8, 27, 22, 0, tzinfo=UTC)) == "2019-08-28T00:00:00+02:00"
    assert format_time(datetime(2019, 12, 11, 23, 0, tzinfo=UTC)) == "2019-12-12T00:00:00+01:00"


def test_empty_feed_is_valid():
    assert_valid_atom(render([]))


def test_a_rerendered_feed_shows_what_changed_since_the_entries_were_cached():
    """Entries are cached serialised; a change to the item, its group, its campaigns'
    titles or its source's name must still reach the next rendering."""
    first = stored("k1", datetime(2019, 8, 28, 7, tzinfo=UTC))
    before = render([first])
    assert render([first]) == before  # the cached entry, byte for byte

    retitled = StoredItem(
        replace(first.item, title="Neuer Titel"),
        first.first_seen,
        first.updated,
        related=("https://www.example-jc.de/1.html",),
    )
    after = render([retitled]).decode()
    assert "Neuer Titel" in after
    assert 'rel="related" type="text/html" href="https://www.example-jc.de/1.html"' in after

    renamed = SOURCE.model_copy(update={"name": "Jobcenter Landkreis Spree-Neiße"})
    head = FeedHead(
        "all", "Alle", "Alle", "http://127.0.0.1/feeds/all.atom", datetime(2019, 9, 1, tzinfo=UTC)
    )
    document = render_feed([first], head, EntryContext({"spree-neisse": renamed}))
    assert "<title>Jobcenter Landkreis Spree-Neiße</title>" in document.decode()
    assert_valid_atom(document)


def test_cache_forgets_the_least_recently_used_beyond_its_entries():
    cache: BoundedLRU[str, bytes] = BoundedLRU(2, 1000, len)
    cache.put("a", b"0")
    cache.put("b", b"1")
    assert cache.get("a") == b"0"  # now the most recently used
    cache.put("c", b"2")
    assert cache.get("b") is None
    assert cache.get("a") == b"0" and cache.get("c") == b"2"


def test_cache_forgets_the_least_recently_used_beyond_its_bytes():
    cache: BoundedLRU[str, bytes] = BoundedLRU(100, 10, len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    cache.put("c", b"1234")  # 12 bytes: the oldest goes
    assert cache.get("a") is None and len(cache) == 2 and cache.bytes == 8
    cache.put("huge", b"x" * 11)  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("b", b"1")  # replacing a value counts its new size
    assert cache.bytes == 5
