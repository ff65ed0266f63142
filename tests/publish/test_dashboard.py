"""The dashboard in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect, sync_playwright

from tests.helpers.browser import ARTIFACTS, console_errors, launch
from tests.helpers.corpus import ITEMS, serve_corpus
from tests.helpers.service import big_feed, config_with_extras, service, wait_for, walk_archives
from tests.listing_expectations import EXPECTED, IKISS_PAGE, IKISS_PAGE_2
from tests.siteserver import Route


def test_dashboard_shows_participation_and_sick_sources(site, tmp_path, write_config):
    serve_corpus(site)
    site.routes["/gross/rss.xml"] = Route(body=big_feed(3))
    site.routes["/kaputt/rss.xml"] = Route(status=500)
    config = write_config(config_with_extras(site, interval="1h"))
    with service(config, tmp_path / "dashboard.db") as (base, _):
        everything = len(ITEMS) + 3 + len(EXPECTED[IKISS_PAGE] + EXPECTED[IKISS_PAGE_2])
        wait_for(lambda: len(walk_archives(base, "all.atom")) == everything, 40, "all items")
        wait_for(lambda: "gestört" in httpx.get(base + "/").text, 20, "the broken source")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                problems = console_errors(page)  # CSP violations are reported on the console
                response = page.goto(base + "/")
                assert response is not None
                assert "script-src" not in response.headers["content-security-policy"]
                assert "'unsafe-inline'" not in response.headers["content-security-policy"]
                expect(page.locator("h1")).to_have_text("Kommunale Jobcenter – Presseschau")
                campaign = page.locator("#kampagne-aktionswoche-2019")
                expect(campaign.locator(".zeitraum")).to_contain_text("mit Meldungen")
                brandenburg = campaign.locator("tr", has_text="Brandenburg")
                expect(brandenburg.locator("td.dabei")).to_contain_text("Landkreis Spree-Neiße")
                saarland = campaign.locator("tr", has_text="Saarland")
                expect(saarland.locator("td.offen")).to_contain_text("Landkreis Gross")
                # a source we cannot read is neither "with" nor "without" releases
                thuringia = campaign.locator("tr", has_text="Thüringen")
                disturbed = thuringia.locator("td.gestoert a")
                expect(disturbed).to_have_text("Landkreis Kaputt")
                expect(thuringia.locator("td.offen")).not_to_contain_text("Landkreis Kaputt")
                expect(campaign.locator(".zeitraum")).to_contain_text("1 Quellen gestört")
                disturbed.click()
                expect(page.locator("#quelle-kaputt")).to_be_in_viewport()
                expect(page.locator("#quelle-kaputt")).to_have_attribute("data-ags", "16076")
                sick = page.locator("table.gesundheit tr.krank")
                expect(sick).to_have_count(1)
                expect(sick).to_contain_text("Landkreis Kaputt")
                expect(sick).to_contain_text("HTTP 500")
                joint = campaign.locator("li.gemeinsam", has_text="15 Jahre")
                joint.locator("summary").click()
                expect(joint.locator("details li")).to_have_count(5)
                expect(page.locator("a.feed", has_text="Jobcenter 2019")).to_have_attribute(
                    "href", f"{base}/feeds/campaigns/aktionswoche-2019.atom"
                )
                # every text of the pictures is readable on a phone (issue 31, 10)
                smallest = page.evaluate(
                    "Math.min(...[...document.querySelectorAll('.bilder svg text')]"
                    ".map(t => t.getBoundingClientRect().height).filter(h => h > 0))"
                )
                assert smallest >= 10, smallest
                assert not problems, problems
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
                # the campaign feed opened in the browser groups a joint release as the
                # dashboard does, instead of repeating it once per jobcenter
                page.goto(f"{base}/feeds/campaigns/aktionswoche-2019.atom")
                joint = page.locator("ol.meldungen > li", has_text="15 Jahre")
                expect(joint).to_have_count(1)
                expect(joint.locator(".quelle")).to_contain_text("und 4 weitere")
                joint.locator("summary").click()
                expect(joint.locator("details li")).to_have_count(5)
                page.goto(base + "/")
                # one Land only: the form's choice, then its items and sources alone
                page.select_option("#land", "BB")
                page.locator(".suche button").click()
                expect(page).to_have_url(f"{base}/?q=&land=BB")
                expect(page.locator("header .filter")).to_contain_text("Nur Brandenburg")
                campaign = page.locator("#kampagne-aktionswoche-2019")
                expect(campaign.locator("td.dabei")).to_contain_text("Landkreis Spree-Neiße")
                expect(page.locator("table.gesundheit tr.krank")).to_have_count(0)  # TH's
                expect(page.locator("body")).not_to_contain_text("Landkreis Kaputt")
                expect(page.locator("body")).not_to_contain_text("Landkreis Gross")
            finally:
                browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
