"""The press review end to end: the corpus fetched through the real pipeline, then
`aggregator review` as PDF (read back with pypdf: its text, its pages, its links) and as
HTML, and the service's /campaigns/ID/review(.pdf) in Chromium. The pictures for the
README are taken here (AGGREGATOR_UPDATE_PICTURES=1 writes them to docs/pictures/)."""

from __future__ import annotations

import io
import os
import shutil

import httpx
import pypdf
from lxml import html as lxml_html
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from tests.e2e.test_digests import CAMPAIGN_LINKS
from tests.helpers.browser import console_errors, launch
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, config_text, serve_corpus
from tests.helpers.service import service, wait_for
from tests.paths import ROOT, TESTS

ARTIFACTS = TESTS / "artifacts"
PICTURES = ROOT / "docs" / "pictures"


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_links(reader: pypdf.PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.add(str(action["/URI"]))
    return found


def font_families(page: pypdf.PageObject) -> set[str]:
    """The font families a page uses ("DejaVu-Sans" for DejaVu-Sans-Bold too)."""
    fonts = page["/Resources"]["/Font"].get_object()  # type: ignore[index]
    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    return {name.removesuffix("-Bold").removesuffix("-Oblique") for name in names}


def test_review_command_writes_a_pdf_and_a_page(site, tmp_path, write_config):
    serve_corpus(site)
    config = write_config(config_text(site))
    env = {"AGGREGATOR_DB": str(tmp_path / "review.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

    pdf = tmp_path / "pressespiegel.pdf"
    done = run_cli("--config", str(config), "review", CAMPAIGN, "--out", str(pdf), env=env)
    assert done.returncode == 0, done.stderr
    assert "14 jobcenters" in done.stdout.decode()
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) >= 2
    title_page = words(reader.pages[0].extract_text())
    assert "Aktionswoche der kommunalen Jobcenter 2019" in title_page
    assert "26.08.2019 – 30.08.2019" in title_page  # the week itself, not its grace
    assert "14 von 14 erfassten Jobcentern haben veröffentlicht" in title_page
    assert "Stand " in title_page  # the title page holds all of itself (issue 31, 5)
    assert words(reader.pages[1].extract_text()).startswith("Beteiligung nach Ländern")
    assert all(font_families(page) == {"DejaVu-Sans"} for page in reader.pages)  # footer too
    everything = words(" ".join(page.extract_text() for page in reader.pages))
    assert "Landkreis Spree-Neiße" in everything  # umlauts and ß in the embedded font
    assert "Seite 2 von" in everything
    assert everything.count("· gemeinsame Meldung") == 2
    assert "Aktions- woche" not in everything and "Aktionswoche Unternehmen" in everything
    assert pdf_links(reader) >= CAMPAIGN_LINKS  # every item's link is a live link

    page = tmp_path / "pressespiegel.html"
    assert (
        run_cli("--config", str(config), "review", CAMPAIGN, "--out", str(page), env=env).returncode
        == 0
    )
    document = lxml_html.fromstring(page.read_bytes())
    # lxml's HTML parser names inline SVG's elements without their namespace
    assert len(document.findall(".//svg")) == 2  # the map and the timeline
    assert len(document.findall(".//g[@class='land']")) == 16
    links = {a.get("href") for a in document.iter("a")}
    assert links >= CAMPAIGN_LINKS

    wrong = run_cli("--config", str(config), "review", CAMPAIGN, "--out", "x.docx", env=env)
    assert wrong.returncode == 2 and b"must end in .pdf or .html" in wrong.stderr


def _keep(picture: str) -> None:
    """The README's pictures come from here; taken on request, not by every run."""
    if os.environ.get("AGGREGATOR_UPDATE_PICTURES") == "1":
        PICTURES.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTIFACTS / picture, PICTURES / picture)


def _colours(path: str) -> int:
    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1_000_000) or [])


def test_the_service_serves_the_review_and_the_pictures_render(site, tmp_path, write_config):
    serve_corpus(site)
    config = write_config(config_text(site))
    with service(config, tmp_path / "review.db") as (base, _):
        review = f"{base}/campaigns/{CAMPAIGN}/review"
        wait_for(lambda: "<strong>14</strong> von 14" in httpx.get(review).text, 40, "the review")
        pdf = httpx.get(f"{base}/campaigns/{CAMPAIGN}/review.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        again = httpx.get(
            f"{base}/campaigns/{CAMPAIGN}/review.pdf",
            headers={"If-None-Match": pdf.headers["etag"]},
        )
        assert again.status_code == 304
        assert httpx.get(f"{base}/campaigns/niemals/review").status_code == 404

        ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": 794, "height": 1123})  # A4
                problems = console_errors(page)  # a blocked inline style is a console error
                page.emulate_media(media="print")
                response = page.goto(f"{base}/campaigns/{CAMPAIGN}/review")
                assert (
                    response is not None
                    and "sha256-" in response.headers["content-security-policy"]
                )
                expect(page.locator("h1")).to_have_text(
                    "Aktionswoche der kommunalen Jobcenter 2019"
                )
                expect(page.locator(".zahlen li").first).to_contain_text("14")
                page.screenshot(path=str(ARTIFACTS / "review.png"))
                assert not problems, problems

                dashboard = browser.new_page(viewport={"width": 1100, "height": 900})
                dashboard.goto(f"{base}/")
                tile = dashboard.locator(f"#kampagne-{CAMPAIGN} g[data-land='BB']")
                expect(tile).to_contain_text("3/3")
                dashboard.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"))
                dashboard.locator(f"#kampagne-{CAMPAIGN} .bilder").screenshot(
                    path=str(ARTIFACTS / "map.png")
                )
                dashboard.fill("#q", "Jena")
                dashboard.click(".suche button")
                expect(dashboard.locator("#suche h2")).to_have_text("Suche: „Jena“")
                expect(dashboard.locator("#suche li").first).to_contain_text("Jena")
            finally:
                browser.close()
    assert _colours(str(ARTIFACTS / "review.png")) > 50  # drawn, not a blank page
    assert _colours(str(ARTIFACTS / "map.png")) > 20
    assert _colours(str(ARTIFACTS / "dashboard-desktop.png")) > 20
    _keep("review.png")
    _keep("map.png")
    _keep("dashboard-desktop.png")
