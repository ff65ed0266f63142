"""Exports end to end: the corpus fetched through the real pipeline, then `aggregator
export` and the service's /campaigns/… files, read back as German Excel would."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import openpyxl

from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, ITEMS, config_text, rss, serve_corpus
from tests.helpers.service import service, wait_for
from tests.siteserver import Route

HOSTILE = '=HYPERLINK("https://evil.example","Aktionswoche der kommunalen Jobcenter")'


def hostile_source(site) -> str:
    """A source whose campaign release has a title that Excel would run as a formula."""
    when = format_datetime(datetime(2019, 8, 27, 10, tzinfo=UTC))
    item = (
        HOSTILE,
        "https://boese.example/presse/1.html",
        "boese-1",
        when,
        "Das kommunale Jobcenter lädt zur Aktionswoche ein.",
    )
    site.routes["/boese/rss.xml"] = Route(body=rss("boese", [item]))
    return (
        f"  - {{id: boese, name: Landkreis Böse, land: SN, kind: landkreis, "
        f"feeds: ['{site.url('boese/rss.xml')}']}}\n"
    )


EXPECTED = sorted([*(item.title for item, entry in ITEMS if entry["label"]), HOSTILE])


def sheet_rows(document: bytes, name: str) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(document))[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]  # type: ignore[arg-type]


def csv_rows(document: bytes) -> list[dict[str, str]]:
    assert document.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(document.decode("utf-8-sig")), delimiter=";"))


def test_export_writes_the_campaign_as_excel_and_csv(site, tmp_path, write_config):
    serve_corpus(site)
    config = write_config(config_text(site) + hostile_source(site))
    env = {"AGGREGATOR_DB": str(tmp_path / "export.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

    workbook = tmp_path / "aktionswoche.xlsx"
    done = run_cli("--config", str(config), "export", CAMPAIGN, "--out", str(workbook), env=env)
    assert done.returncode == 0, done.stderr
    assert f"{len(EXPECTED)} items" in done.stdout.decode()
    items = sheet_rows(workbook.read_bytes(), "Meldungen")
    assert sorted(str(row["Titel"]) for row in items) == EXPECTED
    dates = [row["Datum"] for row in items]
    assert all(isinstance(d, datetime) for d in dates) and dates == sorted(dates)  # type: ignore[type-var]
    assert all(row["Erkannt durch"] for row in items)  # each with the rule that matched it
    joint = [row for row in items if row["Gemeinsame Meldung"]]
    assert joint and all(int(row["Jobcenter mit dieser Meldung"]) > 1 for row in joint)  # type: ignore[call-overload]
    jobcenters = sheet_rows(workbook.read_bytes(), "Beteiligung")
    published = {str(row["Jobcenter"]): row["Meldungen"] for row in jobcenters}
    assert published["Landkreis Böse"] == 1
    assert sum(int(n) for n in published.values()) == len(EXPECTED)  # type: ignore[call-overload]

    table = tmp_path / "aktionswoche.csv"
    assert (
        run_cli(
            "--config", str(config), "export", CAMPAIGN, "--out", str(table), env=env
        ).returncode
        == 0
    )
    rows = csv_rows(table.read_bytes())
    assert sorted(row["Titel"].removeprefix("'") for row in rows) == EXPECTED
    assert any(row["Titel"] == "'" + HOSTILE for row in rows)
    assert any(row["Jobcenter"] == "Landkreis Spree-Neiße" for row in rows)

    per_jobcenter = tmp_path / "beteiligung.csv"
    assert (
        run_cli(
            "--config",
            str(config),
            "export",
            CAMPAIGN,
            "--participation",
            "--out",
            str(per_jobcenter),
            env=env,
        ).returncode
        == 0
    )
    assert {row["Jobcenter"] for row in csv_rows(per_jobcenter.read_bytes())} == set(published)

    wrong = run_cli("--config", str(config), "export", CAMPAIGN, "--out", "x.pdf", env=env)
    assert wrong.returncode == 2 and "must end in .csv or .xlsx" in wrong.stderr.decode()
    unknown = run_cli("--config", str(config), "export", "nope", "--out", str(table), env=env)
    assert unknown.returncode == 2 and "unknown campaign 'nope'" in unknown.stderr.decode()
    assert b"Traceback" not in wrong.stderr + unknown.stderr


def test_the_service_serves_the_exports_for_download(site, tmp_path, write_config):
    serve_corpus(site)
    text = config_text(site).replace(
        "defaults: {host_delay: 0s}", "defaults: {host_delay: 0s, interval: 1h}"
    )
    config = write_config(text + hostile_source(site))
    with service(config, tmp_path / "served.db") as (base, _):
        url = f"{base}/campaigns/{CAMPAIGN}.xlsx"
        wait_for(
            lambda: len(sheet_rows(httpx.get(url).content, "Meldungen")) == len(EXPECTED),
            40,
            "the campaign's items",
        )
        answer = httpx.get(url)
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="{CAMPAIGN}-meldungen.xlsx"'
        )
        assert sorted(str(r["Titel"]) for r in sheet_rows(answer.content, "Meldungen")) == EXPECTED
        again = httpx.get(url, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304  # nothing changed: not built again

        table = httpx.get(f"{base}/campaigns/{CAMPAIGN}/participation.csv")
        assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
        rows = csv_rows(table.content)
        assert {row["Jobcenter"] for row in rows} >= {"Landkreis Böse", "Landkreis Spree-Neiße"}
        items_csv = csv_rows(httpx.get(f"{base}/campaigns/{CAMPAIGN}.csv").content)
        assert len(items_csv) == len(EXPECTED)
        first = sheet_rows(
            httpx.get(f"{base}/campaigns/{CAMPAIGN}/participation.xlsx").content, "Beteiligung"
        )
        assert len(first) == len(rows)
        for missing in ("nope.csv", f"{CAMPAIGN}.pdf", f"{CAMPAIGN}/other.csv"):
            assert httpx.get(f"{base}/campaigns/{missing}").status_code == 404
