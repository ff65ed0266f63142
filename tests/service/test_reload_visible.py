"""A refused reload is visible (issue 31, 6): until a good reload, /healthz and the
dashboard name the file, the line and the error; the demo can be reloaded too."""

from __future__ import annotations

import os
import signal

import httpx

from tests.e2e.test_feed_readers import config, releases
from tests.helpers.cli import run_cli
from tests.helpers.service import service, wait_for
from tests.siteserver import Route


def test_a_refused_reload_shows_in_health_and_dashboard_until_a_good_one(
    site, tmp_path, write_config
):
    site.routes["/spree/rss.xml"] = Route(body=releases(1))
    site.routes["/gross/rss.xml"] = Route(body=releases(1))
    good = config(site, "1h")
    path = write_config(good)
    db = tmp_path / "reload.db"
    with service(path, db) as (base, _process):
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 20, "health")
        path.write_text(good.replace("land: SL", "land: XX"), encoding="utf-8")  # a typo
        refused = run_cli("--config", str(path), "--db", str(db), "reload")
        assert refused.returncode != 0  # the command checks the file first
        pid = int((tmp_path / "reload.db.pid").read_text())
        os.kill(pid, signal.SIGHUP)  # as `kill -HUP` would, past the command's check
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 503, 20, "the refusal")
        reasons = " ".join(httpx.get(f"{base}/healthz").json()["reasons"])
        assert str(path) in reasons and "XX" in reasons
        assert f"{path}:" in reasons  # file and line
        page = httpx.get(f"{base}/").text
        assert "Die geänderte Konfiguration wurde nicht übernommen" in page
        path.write_text(good, encoding="utf-8")
        assert run_cli("--config", str(path), "--db", str(db), "reload").returncode == 0
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 20, "a good reload")
        assert "nicht übernommen" not in httpx.get(f"{base}/").text
