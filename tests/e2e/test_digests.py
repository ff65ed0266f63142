"""E-mail digests end to end: the corpus fetched through the real pipeline, digests sent
by `aggregator digest` and by the service's scheduler to a real SMTP server on loopback,
and the received MIME messages read back. Exactly once across restarts, retried after
the server's failure (visible in health and metrics), never twice after a crash."""

from __future__ import annotations

import os
import signal
import threading
from email.message import EmailMessage

import httpx

from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, ITEMS, config_text, serve_corpus
from tests.helpers.digests import configured_long_ago
from tests.helpers.service import service, wait_for
from tests.mailserver import MailHandler, Received, mail_server

TEAM = ["presse@landkreistag.example", "referat@staedtetag.example"]
CAMPAIGN_TITLES = {item.title for item, entry in ITEMS if entry["label"]}
# the corpus' links, as tests.e2e.test_end_to_end_campaigns serves them
CAMPAIGN_LINKS = {
    f"https://{item.source_id}.example/presse/{item.key.rsplit('/', 1)[-1]}.html"
    for item, entry in ITEMS
    if entry["label"]
}


def digest_config(site, port: int, retry: str = "1m") -> str:
    return config_text(site) + (
        f"mail: {{host: 127.0.0.1, port: {port}, security: none, retry: {retry}, "
        "sender: 'Jobcenter-Monitor <monitor@presse.example>'}\n"
        "digests:\n"
        f"  - {{id: team, to: [{', '.join(TEAM)}], campaign: {CAMPAIGN}, schedule: daily, "
        "at: '00:00'}\n"
    )


NARROW = (
    "  - {id: thueringen, to: [referat@staedtetag.example], land: TH, q: Jena, "
    "schedule: weekly, day: freitag, at: '00:00'}\n"
)


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    return text.get_content(), html.get_content()  # type: ignore[attr-defined]


def assert_campaign_digest(received: Received) -> None:
    message = received.message
    assert message["Subject"].startswith("Aktionswoche der kommunalen Jobcenter 2019: ")
    assert message["From"] == "Jobcenter-Monitor <monitor@presse.example>"
    assert message["To"] == received.envelope_to[0]
    assert message["Message-ID"] and message["Date"]
    text, html = parts(message)
    # every campaign item's link, on its own or among the versions of its joint release
    assert {link for link in CAMPAIGN_LINKS if link in text} == CAMPAIGN_LINKS
    assert {link for link in CAMPAIGN_LINKS if f'href="{link}"' in html} == CAMPAIGN_LINKS
    assert "Landkreis Spree-Neiße" in text and "Landkreis Spree-Neiße" in html
    assert "GEMEINSAME MELDUNGEN" in text and "Veröffentlicht von 5 Jobcentern" in text


def test_digest_command_previews_sends_and_does_not_send_twice(site, tmp_path, write_config):
    serve_corpus(site)
    with mail_server(tmp_path) as server:
        config = write_config(digest_config(site, server.port) + NARROW)
        env = {"AGGREGATOR_DB": str(tmp_path / "digest.db")}
        assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

        preview = run_cli("--config", str(config), "digest", "team", "--dry-run", env=env)
        assert preview.returncode == 0, preview.stderr
        printed = preview.stdout.decode()
        assert "Subject: Aktionswoche der kommunalen Jobcenter 2019: " in printed
        assert f"To: {', '.join(TEAM)}" in printed
        assert all(link in printed for link in CAMPAIGN_LINKS)
        assert server.handler.received == []  # a preview sends nothing

        # without the address coordinators reach the service at, its links would lead here
        refused = run_cli("--config", str(config), "digest", "team", "--send", env=env)
        assert refused.returncode == 2 and b"public_url" in refused.stderr
        assert server.handler.received == []
        config = write_config(
            "public_url: https://monitor.presse.example/\n"
            + digest_config(site, server.port)
            + NARROW
        )

        sent = run_cli("--config", str(config), "digest", "team", "--send", env=env)
        assert sent.returncode == 0, sent.stderr
        assert sorted(r.envelope_to[0] for r in server.handler.received) == sorted(TEAM)
        for received in server.handler.received:
            assert_campaign_digest(received)
            text, _ = parts(received.message)
            assert "https://monitor.presse.example/feeds/campaigns/" in text
            assert "127.0.0.1" not in text
            # the dry run showed the period and the items that went out
            assert received.message["Subject"].split(" – Stand ")[0] in printed

        again = run_cli("--config", str(config), "digest", "team", "--send", env=env)
        assert again.returncode == 0
        assert again.stdout.decode().count("nothing new: not sent") == 2
        assert len(server.handler.received) == 2

        status = run_cli("--config", str(config), "digest", "team", "--status", env=env)
        assert status.stdout.decode().count(" sent ") >= 2

        narrow = run_cli("--config", str(config), "digest", "thueringen", env=env).stdout.decode()
        assert "Subject: Kommunale Jobcenter in Thüringen: " in narrow
        assert "Stadt Jena" in narrow and "Spree-Neiße" not in narrow
        assert "/feeds/laender/TH.atom?q=Jena" in narrow

        unknown = run_cli("--config", str(config), "digest", "niemand", env=env)
        assert unknown.returncode == 2 and b"unknown digest 'niemand'" in unknown.stderr


def refreshes(base: str) -> float:
    text = httpx.get(f"{base}/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("aggregator_refreshes_total")
    )


def digest_checks(base: str) -> float:
    """How often the service has looked for due digests (after its first cycle)."""
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        if line.startswith("aggregator_digest_checks_total"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def digests_metric(base: str, outcome: str) -> float:
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        if line.startswith("aggregator_digests_total") and f'outcome="{outcome}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_service_sends_each_period_once_across_a_restart(site, tmp_path, write_config):
    serve_corpus(site)
    with mail_server(tmp_path) as server:
        config = write_config(digest_config(site, server.port))
        db = tmp_path / "service.db"
        configured_long_ago(db, "team")
        with service(config, db) as (base, _):
            wait_for(lambda: len(server.handler.received) == 2, 40, "the scheduled digests")
            assert digests_metric(base, "sent") == 2
        for received in server.handler.received:
            assert_campaign_digest(received)
        with service(config, db) as (base, _):
            wait_for(lambda: refreshes(base) >= 14, 40, "the first cycle after the restart")
            # the look for due digests after the first cycle is over: nothing went out again
            wait_for(lambda: digest_checks(base) >= 1, 30, "the look for due digests")
            assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        assert len(server.handler.received) == 2


def test_a_failing_server_is_retried_and_shown_in_health(site, tmp_path, write_config):
    serve_corpus(site)
    handler = MailHandler(temporary_failures=2)
    with mail_server(tmp_path, handler=handler) as server:
        config = write_config(digest_config(site, server.port, retry="2s"))
        configured_long_ago(tmp_path / "retry.db", "team")
        with service(config, tmp_path / "retry.db") as (base, _):
            wait_for(lambda: digests_metric(base, "failed") >= 1, 40, "the failed digest")
            health = httpx.get(f"{base}/healthz")
            assert health.status_code == 503
            [reason] = [r for r in health.json()["reasons"] if r.startswith("digest: team")]
            assert "451" in reason and "next try" in reason
            wait_for(lambda: len(handler.received) == 2, 30, "the retried digests")
            assert sorted(r.envelope_to[0] for r in handler.received) == sorted(TEAM)
            wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 10, "health")


def test_a_crash_while_sending_never_sends_that_period_again(site, tmp_path, write_config):
    serve_corpus(site)
    handler = MailHandler(hold=threading.Event())
    with mail_server(tmp_path, handler=handler) as server:
        config = write_config(digest_config(site, server.port))
        db = tmp_path / "crash.db"
        configured_long_ago(db, "team")
        with service(config, db) as (_, process):
            assert handler.data_seen.wait(40), "no digest was sent"
            os.kill(process.pid, signal.SIGKILL)  # the server holds the message meanwhile
            process.wait(10)
        assert handler.hold is not None
        handler.hold.set()
        with service(config, db) as (base, _):
            wait_for(lambda: refreshes(base) >= 14, 40, "the first cycle after the restart")
            wait_for(
                lambda: any(
                    "interrupted while sending" in r
                    for r in httpx.get(f"{base}/healthz").json()["reasons"]
                ),
                10,
                "the interruption in health",
            )
            # the other recipient, not yet claimed, gets the period now; the first never
            # again, though the server may or may not have delivered the held message
            wait_for(lambda: len(handler.received) >= 1, 10, "the other recipient's digest")
            # that look is over: it passed the first recipient by (uncertain, never again)
            wait_for(lambda: digest_checks(base) >= 1, 10, "the look for due digests")
        assert [r.envelope_to for r in handler.received] == [[TEAM[1]]]
