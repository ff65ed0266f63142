"""Editors in a real browser (issue 32): log in, take an item out of a campaign on the
dashboard, see the campaign feed and the review follow, take it back; a form without
its CSRF token or from another site is refused; wrong passwords are throttled."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
from lxml import html as lxml_html
from playwright.sync_api import expect, sync_playwright

from tests.helpers.browser import console_errors, launch
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, ITEMS, config_text, serve_corpus
from tests.helpers.service import service, wait_for
from tests.siteserver import SiteServer
from tests.websubscriber import websub_subscriber

PASSWORD = "Aktionswoche 2019 ist vorbei"
ITEM, ENTRY = next((i, e) for i, e in ITEMS if e["label"] and not e.get("joint"))
LINK = f"https://{ITEM.source_id}.example/presse/{ITEM.key.rsplit('/', 1)[-1]}.html"


def _campaign_feed(base: str) -> str:
    return httpx.get(f"{base}/feeds/campaigns/{CAMPAIGN}.atom").text


def test_an_editor_takes_an_item_out_and_back_in_the_browser(
    site: SiteServer, tmp_path: Path
) -> None:
    serve_corpus(site)
    config = tmp_path / "sources.yaml"
    websub = "websub: {allow_private_callbacks: true, retry: 1s}\n"
    config.write_text(websub + config_text(site), encoding="utf-8")
    db = tmp_path / "editors.db"
    for name, role in (("anna", "editor"), ("vera", "viewer")):
        added = run_cli(
            "--db", str(db), "users", "add", name, "--role", role, stdin=f"{PASSWORD}\n".encode()
        )
        assert added.returncode == 0, added.stderr.decode()
    with websub_subscriber() as reader, service(config, db) as (base, _):
        wait_for(lambda: LINK in _campaign_feed(base), 40, "the campaign's items")
        topic = f"{base}/feeds/campaigns/{CAMPAIGN}.atom"
        reader.wanted.add(("subscribe", topic))
        asked = httpx.post(
            f"{base}/websub",
            data={"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": f"{reader.url}/cb"},
        )
        assert asked.status_code == 202
        wait_for(lambda: len(reader.verifications) == 1, 20, "the verified subscription")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page()
                problems = console_errors(page)
                page.goto(base + "/")
                page.get_by_role("link", name="Anmelden").click()
                page.fill("#user", "anna")
                page.fill("#password", "falsch falsch falsch")
                page.get_by_role("button", name="Anmelden").click()
                expect(page.locator(".warnung")).to_have_text(
                    "Anmeldung fehlgeschlagen: Name oder Passwort falsch."
                )
                problems.clear()  # the browser logs the 401 of that answer
                page.fill("#user", "anna")
                page.fill("#password", PASSWORD)
                page.get_by_role("button", name="Anmelden").click()
                expect(page).to_have_url(base + "/")
                expect(page.locator("header .sub")).to_contain_text("angemeldet als anna")
                cookie = next(
                    c for c in page.context.cookies() if c["name"] == "aggregator_session"
                )
                assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

                campaign = page.locator(f"#kampagne-{CAMPAIGN}")
                entry = campaign.locator("ol.meldungen > li", has_text=ITEM.title).first
                entry.get_by_role("link", name="Bearbeiten").click()
                row = page.locator(f"tr[data-campaign='{CAMPAIGN}']")
                expect(row.locator(".gezeigt")).to_have_text("ja")
                row.locator("input[name=reason]").fill("Kein Bezug zur Aktionswoche")
                row.get_by_role("button", name="Herausnehmen").click()
                expect(row.locator(".gezeigt")).to_have_text("nein")
                expect(page.locator("#verlauf li").first).to_contain_text(
                    "anna: aus „Aktionswoche der kommunalen Jobcenter 2019“ herausgenommen"
                )
                assert LINK not in _campaign_feed(base)
                wait_for(
                    lambda: any(LINK.encode() not in d.body for d in reader.deliveries),
                    20,
                    "the campaign feed pushed without the item",
                )
                review = httpx.get(f"{base}/campaigns/{CAMPAIGN}/review").text
                assert LINK not in review

                session = {"aggregator_session": cookie["value"]}
                stored = dict(parse_qsl(urlsplit(page.url).query))  # the item's source and key
                form = {
                    "action": "include",
                    "campaign": CAMPAIGN,
                    "source": stored["source"],
                    "key": stored["key"],
                    "reason": "ohne Token",
                }
                forged = httpx.post(f"{base}/curate", data=form, cookies=session)
                assert forged.status_code == 403 and "CSRF" in forged.text
                elsewhere = httpx.post(
                    f"{base}/curate",
                    data=form,
                    cookies=session,
                    headers={"Origin": "https://evil.example"},
                )
                assert elsewhere.status_code == 403
                assert LINK not in _campaign_feed(base)  # neither took effect

                page.locator("#verlauf li").first.get_by_role("button", name="Zurücknehmen").click()
                expect(row.locator(".gezeigt")).to_have_text("ja")
                expect(page.locator("#verlauf li").first).to_contain_text("zurückgenommen von anna")
                assert LINK in _campaign_feed(base)
                assert not problems, problems
            finally:
                browser.close()

        # a viewer reads the history but decides nothing
        with httpx.Client(base_url=base) as viewer:
            login = viewer.post("/login", data={"user": "vera", "password": PASSWORD})
            assert login.status_code == 303
            dashboard = lxml_html.fromstring(viewer.get("/").text)
            [history] = dashboard.xpath(
                f"//section[@id='kampagne-{CAMPAIGN}']//li[contains(., '{ITEM.title}')]"
                "//a[@class='bearbeiten']/@href"
            )
            assert dashboard.xpath(f"//a[@class='bearbeiten' and @href='{history}']/text()")[0] == (
                "Verlauf"
            )
            item_page = viewer.get(history)
            assert "zurückgenommen von anna" in item_page.text
            assert "Herausnehmen" not in item_page.text


def test_wrong_passwords_are_throttled(site: SiteServer, tmp_path: Path) -> None:
    serve_corpus(site)
    config = tmp_path / "sources.yaml"
    config.write_text(config_text(site), encoding="utf-8")
    db = tmp_path / "throttle.db"
    added = run_cli(
        "--db", str(db), "users", "add", "anna", "--role", "editor", stdin=f"{PASSWORD}\n".encode()
    )
    assert added.returncode == 0
    with service(config, db) as (base, _):
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code in (200, 503), 20, "service")
        unknown = httpx.post(f"{base}/login", data={"user": "niemand", "password": "x" * 12})
        wrong = httpx.post(f"{base}/login", data={"user": "anna", "password": "x" * 12})
        assert unknown.status_code == wrong.status_code == 401
        assert (
            "Name oder Passwort falsch" in unknown.text
            and "Name oder Passwort falsch" in wrong.text
        )
        for _ in range(8):  # ten failures from this address in all
            assert (
                httpx.post(f"{base}/login", data={"user": "anna", "password": "y" * 12}).status_code
                == 401
            )
        throttled = httpx.post(f"{base}/login", data={"user": "anna", "password": PASSWORD})
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "900"
        assert "Zu viele Fehlversuche" in throttled.text
