"""`access: private` (issue 32): without an account nothing is read; a feed reader reads
below its personal address, whose feeds link below it too."""

from __future__ import annotations

from pathlib import Path

import httpx
from lxml import etree

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, config_text, serve_corpus
from tests.helpers.service import service, wait_for
from tests.siteserver import SiteServer

PASSWORD = "nur für das Team"


def test_a_private_service_opens_only_to_accounts_and_their_feed_tokens(
    site: SiteServer, tmp_path: Path
) -> None:
    serve_corpus(site)
    config = tmp_path / "sources.yaml"
    config.write_text("access: private\n" + config_text(site), encoding="utf-8")
    db = tmp_path / "private.db"
    added = run_cli(
        "--db", str(db), "users", "add", "vera", "--role", "viewer", stdin=f"{PASSWORD}\n".encode()
    )
    assert added.returncode == 0, added.stderr.decode()
    with service(config, db) as (base, _):
        told = run_cli(
            "--config", str(config), "--db", str(db), "--base-url", base, "users", "token", "vera"
        )
        opml_url, feed_url = told.stdout.decode().split()
        assert opml_url.startswith(f"{base}/private/") and feed_url.endswith("/feeds/all.atom")
        wait_for(lambda: b"<entry>" in httpx.get(feed_url).content, 40, "items")

        with httpx.Client(base_url=base) as anonymous:
            page = anonymous.get("/")
            assert page.status_code == 303 and page.headers["location"].startswith(f"{base}/login")
            assert anonymous.get("/feeds/all.atom").status_code == 401
            assert anonymous.get(f"/campaigns/{CAMPAIGN}.csv").status_code == 303
            assert anonymous.get("/sources.opml").status_code == 401
            assert anonymous.get("/private/falsch/feeds/all.atom").status_code == 404
            assert anonymous.get("/healthz").status_code in (200, 503)  # monitoring stays open
            assert anonymous.get("/login").status_code == 200

        feed = httpx.get(feed_url)
        root = assert_valid_atom(feed.content)
        personal = feed_url.removesuffix("/feeds/all.atom")
        links = [
            link.get("href", "")
            for link in root.iter(f"{ATOM}link")
            if link.get("rel") in ("self", "prev-archive", "next")
        ]
        assert links and all(href.startswith(personal) for href in links)
        opml = etree.fromstring(httpx.get(opml_url).content)
        urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
        assert urls and all(url.startswith(personal) for url in urls)

        with httpx.Client(base_url=base) as member:
            assert (
                member.post("/login", data={"user": "vera", "password": PASSWORD}).status_code
                == 303
            )
            dashboard = member.get("/")
            assert (
                dashboard.status_code == 200
                and f'href="{personal}/feeds/all.atom"' in dashboard.text
            )
            assert member.get(f"/campaigns/{CAMPAIGN}.csv").status_code == 200
