from datetime import UTC, datetime

from aggregator.atom import format_time, render_feed
from aggregator.model import Item, Source, StoredItem
from tests.conftest import ATOM, assert_valid_atom

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
    return render_feed(
        items,
        {"spree-neisse": SOURCE},
        name="all",
        title="Alle",
        subtitle="Alle Meldungen",
        self_url="http://127.0.0.1:8080/feeds/all.atom",
        fallback_updated=datetime(2019, 9, 1, tzinfo=UTC),
    )


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
