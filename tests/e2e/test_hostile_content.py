"""Hostile and broken content: control characters, link-less entries, huge groups.

Each test goes through the real pipeline: the CLI (or the service) reads pages served
on loopback, stores them, and the feeds it writes must stay valid for every reader.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
from lxml import etree

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.service import service
from tests.siteserver import Route

# What text pasted from Word into a CMS brings along: ESC, backspace, a character
# reference to ESC, and Windows-1252 quotes read as C1 controls.
DIRTY_TITLE = "Aktionswoche\x1b im Jobcenter\x08 Spree-Neiße"
LISTING = (
    "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>Presse</title></head>"
    "<body><main><h1>Pressemitteilungen</h1><ul class='presse'>"
    + "".join(
        f"<li class='meldung'><span class='datum'>2{n}.08.2019</span>"
        f"<a href='/presse/{n}.html'>{title}</a><p>Text&#x1b; der Meldung {n} mit "
        "\x93Stark. Sozial. Vor Ort.\x94 \x96 und mehr.</p></li>"
        for n, title in enumerate([DIRTY_TITLE, "Zweite Meldung\x0c des Kreises", "Dritte"], 1)
    )
    + "</ul></main></body></html>"
).encode("utf-8")
FEED = (
    b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Kreis</title>"
    b"<link>https://kreis.example/</link><description>x</description>"
    b"<item><title>Feed\x1b-Meldung mit Steuerzeichen</title>"
    b"<link>https://kreis.example/presse/feed-1.html</link>"
    b"<pubDate>Wed, 28 Aug 2019 10:00:00 +0200</pubDate>"
    b"<description>Beschreibung&#x1b; mit &amp;#x08; Resten</description></item>"
    b"<item><title>Meldung ohne Link</title><guid isPermaLink='false'>ohne-link-1</guid>"
    b"<pubDate>Tue, 27 Aug 2019 10:00:00 +0200</pubDate>"
    b"<description>Nur Text, keine Adresse.</description></item>"
    b"<item><title>Meldung ohne Link und Text</title><guid isPermaLink='false'>ohne-2</guid>"
    b"<pubDate>Mon, 26 Aug 2019 10:00:00 +0200</pubDate></item>"
    b"</channel></rss>"
)


def dirty_config(site, write_config, extra: str = ""):
    site.routes["/dirty/presse/"] = Route(body=LISTING)
    site.routes["/dirty/rss.xml"] = Route(body=FEED, headers={"Content-Type": "application/xml"})
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: dirty, name: Landkreis Dirty, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('dirty/rss.xml')}'], "
        f"pages: [{{url: '{site.url('dirty/presse/')}', items: 'li.meldung', "
        "title: 'a', date: '.datum', summary: 'p'}]}\n" + extra
    )


def _no_controls(text: str) -> None:
    bad = [
        hex(ord(c)) for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F
    ]
    assert not bad, bad


def test_control_characters_are_cleaned_on_the_way_in_and_feeds_stay_valid(
    site, tmp_path, write_config
):
    config = dirty_config(site, write_config)
    db = tmp_path / "dirty.db"
    env = {"AGGREGATOR_DB": str(db)}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()

    written = run_cli("--config", str(config), "feed", env=env)
    assert written.returncode == 0, written.stderr.decode()
    root = assert_valid_atom(written.stdout)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert "Aktionswoche im Jobcenter Spree-Neiße" in titles
    assert "Feed-Meldung mit Steuerzeichen" in titles
    _no_controls(written.stdout.decode())
    # Windows-1252 punctuation read as C1 controls gets its meaning back
    assert "“Stark. Sozial. Vor Ort.” – und mehr" in written.stdout.decode()

    with sqlite3.connect(db) as conn:  # stored clean, not only rendered clean
        for title, summary in conn.execute("SELECT title, summary_text FROM items"):
            _no_controls(title + summary)


def test_entries_without_link_carry_their_text_and_nothing_is_empty(site, tmp_path, write_config):
    config = dirty_config(site, write_config)
    env = {"AGGREGATOR_DB": str(tmp_path / "nolink.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    root = assert_valid_atom(run_cli("--config", str(config), "feed", env=env).stdout)
    by_title = {e.findtext(f"{ATOM}title"): e for e in root.iter(f"{ATOM}entry")}
    linkless = by_title["Meldung ohne Link"]
    assert linkless.find(f"{ATOM}link[@rel='alternate']") is None
    assert linkless.findtext(f"{ATOM}content") == "Nur Text, keine Adresse."
    bare = by_title["Meldung ohne Link und Text"]
    assert bare.find(f"{ATOM}summary") is None  # no empty summary
    assert bare.findtext(f"{ATOM}content") == "Meldung ohne Link und Text"
    for entry in root.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}source/{ATOM}updated") is not None


def test_a_store_written_before_cleaning_heals_when_rendered(site, tmp_path, write_config):
    """Items stored by an older version with control characters still render, by the CLI
    and by the service, in every feed that shows them."""
    config = dirty_config(site, write_config)
    db = tmp_path / "old.db"
    env = {"AGGREGATOR_DB": str(db)}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    with sqlite3.connect(db) as conn:  # as an older version stored them
        conn.execute(
            "UPDATE items SET title = title || ?, summary_text = ?, summary_html = ?",
            ("\x1b\x00", "Alt\x08er Text", "<p>Alt&#x1b;er\x07 Text</p>"),
        )
    written = run_cli("--config", str(config), "feed", env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert len(assert_valid_atom(written.stdout).findall(f"{ATOM}entry")) == 6
    _no_controls(written.stdout.decode())

    with service(config, db) as (base, _):
        for path in ("all.atom", "laender/BB.atom", "sources/dirty.atom"):
            answer = httpx.get(f"{base}/feeds/{path}")
            assert answer.status_code == 200, path
            assert len(assert_valid_atom(answer.content).findall(f"{ATOM}entry")) == 6
        assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        assert httpx.get(f"{base}/").status_code == 200


def joint_feed(site_path: str, source: int) -> bytes:
    """One office's feed: the joint template notice, published by everyone."""
    day = datetime(2019, 8, 26, 9, tzinfo=UTC) + timedelta(minutes=source)
    text = (
        "Die kommunalen Jobcenter laden in der bundesweiten Aktionswoche vom 26. bis "
        "30. August 2019 zu Informationstagen ein. Beraterinnen und Berater stellen "
        "Angebote für Familien, Alleinerziehende und Langzeitarbeitslose vor; der "
        "Eintritt ist frei, eine Anmeldung ist nicht nötig."
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Kreis {source}</title><link>https://k{source}.example/</link>"
        "<description>x</description><item>"
        "<title>Bundesweite Aktionswoche der kommunalen Jobcenter</title>"
        f"<link>https://k{source}.example/presse/aktionswoche.html</link>"
        f"<pubDate>{format_datetime(day)}</pubDate><description>{text}</description>"
        "</item></channel></rss>"
    ).encode()


def test_a_joint_text_of_many_sources_links_a_few_members_and_the_group(
    site, tmp_path, write_config
):
    count = 24
    lines = ["version: 1", "defaults: {host_delay: 0s, workers: 0}", "sources:"]
    for n in range(count):
        site.routes[f"/k{n}/rss.xml"] = Route(body=joint_feed(f"k{n}", n))
        lines.append(
            f"  - {{id: kreis-{n}, name: Landkreis {n}, land: BB, kind: landkreis, "
            f"feeds: ['{site.url(f'k{n}/rss.xml')}']}}"
        )
    config = write_config("\n".join(lines) + "\n")
    db = tmp_path / "joint.db"
    env = {"AGGREGATOR_DB": str(db)}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

    written = run_cli("--config", str(config), "feed", env=env)
    root = assert_valid_atom(written.stdout)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == count
    group_links = set()
    for entry in entries:
        related = entry.findall(f"{ATOM}link[@rel='related']")
        pages = [link for link in related if link.get("type") == "text/html"]
        groups = [link for link in related if link.get("type") == "application/atom+xml"]
        assert len(pages) == 5  # a handful, not the other 23
        assert (
            len(groups) == 1 and groups[0].get("title") == f"Gleiche Meldung von {count} Jobcentern"
        )
        group_links.add(groups[0].get("href"))
    # the feed grows with the group, not with its square
    assert len(written.stdout) < count * 4000
    [group_link] = group_links

    with service(config, db) as (base, _):
        path = group_link.split("/feeds/", 1)[1]
        group = assert_valid_atom(httpx.get(f"{base}/feeds/{path}").content)
        assert len(group.findall(f"{ATOM}entry")) == count
        page = httpx.get(f"{base}/").text
        assert f"und {count - 1} weitere" in page
    # the static export carries the group's feed too, so its links work there
    out = tmp_path / "static"
    exported = run_cli(
        "--config",
        str(config),
        "--base-url",
        "https://presse.example",
        "feed",
        "--out",
        f"{out}/",
        env=env,
    )
    assert exported.returncode == 0, exported.stderr.decode()
    assert (out / "feeds" / path).is_file()
    assert b"warning" not in exported.stderr


def test_static_export_without_base_url_warns_that_links_point_at_localhost(
    site, tmp_path, write_config
):
    config = dirty_config(site, write_config)
    env = {"AGGREGATOR_DB": str(tmp_path / "static.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    exported = run_cli("--config", str(config), "feed", "--out", f"{tmp_path}/site/", env=env)
    assert exported.returncode == 0
    warning = exported.stderr.decode()
    assert "warning" in warning and "127.0.0.1" in warning and "--base-url" in warning
    document = (tmp_path / "site" / "feeds" / "all.atom").read_bytes()
    assert (
        etree.fromstring(document)
        .find(f"{ATOM}link[@rel='self']")
        .get("href")
        .startswith("http://127.0.0.1")
    )


def test_items_of_a_removed_source_keep_its_name_publisher_and_land(site, tmp_path, write_config):
    config = dirty_config(site, write_config)
    text = config.read_text().replace(
        "name: Landkreis Dirty,", "name: Landkreis Dirty, publisher: Pressestelle Dirty,"
    )
    config.write_text(text)
    env = {"AGGREGATOR_DB": str(tmp_path / "removed.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    # the operator removes the source; its items stay in the store and in the feeds
    write_config("version: 1\nsources: []\n", name="empty.yaml")
    written = run_cli("--config", str(tmp_path / "empty.yaml"), "feed", env=env)
    assert written.returncode == 0, written.stderr.decode()
    root = assert_valid_atom(written.stdout)
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Pressestelle Dirty"
        assert entry.findtext(f"{ATOM}source/{ATOM}title") == "Landkreis Dirty"
        lands = {c.get("term") for c in entry.findall(f"{ATOM}category")}
        assert "BB" in lands
