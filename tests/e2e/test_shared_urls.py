"""Two sources on one URL (issue 31, 3): a county and its jobcenter publish through the
same press feed. What is remembered of a URL (its ETag, its failures, its listing's
shape) belongs to the source and the URL together: the second source gets the items,
not a 304 meant for the first."""

from __future__ import annotations

import sqlite3

from tests.helpers.cli import run_cli
from tests.helpers.service import big_feed
from tests.siteserver import Route


def test_two_sources_on_one_feed_url_both_get_its_items(site, tmp_path, write_config):
    """The county's source is there first; the jobcenter's, added later on the same URL,
    gets the items, and each later answers 304 by its own ETag."""
    site.routes["/gemeinsam/rss.xml"] = Route(body=big_feed(3))
    url = site.url("gemeinsam/rss.xml")
    county = (
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        f"  - {{id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{url}']}}\n"
    )
    both = county + (
        f"  - {{id: jobcenter, name: Jobcenter Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{url}']}}\n"
    )
    db = tmp_path / "geteilt.db"
    for text in (county, both, both):
        done = run_cli("--config", str(write_config(text)), "--db", str(db), "fetch")
        assert done.returncode == 0, done.stderr.decode()
    with sqlite3.connect(db) as conn:
        per_source = dict(conn.execute("SELECT source_id, count(*) FROM items GROUP BY source_id"))
        states = conn.execute("SELECT source_id, last_status FROM fetch_state").fetchall()
    assert per_source == {"kreis": 3, "jobcenter": 3}
    assert sorted(states) == [("jobcenter", "not-modified"), ("kreis", "not-modified")]
