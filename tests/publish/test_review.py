"""The press review's content: items oldest first, a joint release once at its first
publication with every jobcenter's version; and the sources' problems in plain German."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.core.kinds import Failure, Health
from aggregator.publish.health import SourceHealth
from aggregator.publish.review import render_review, review
from tests.helpers.digest_items import CONFIG, ITEMS, JOINT, SOURCES


def test_items_oldest_first_and_a_joint_release_once_with_each_version():
    campaign = CONFIG.campaigns[0]
    shown = review(
        CONFIG,
        campaign,
        list(reversed(ITEMS)),
        SOURCES,
        [],
        datetime(2022, 6, 30, tzinfo=UTC),
        "https://presse.example.org",
    )
    assert shown.entries[0].line.title == JOINT
    assert [e.source for e in shown.entries] == [
        "2 Jobcenter",
        "Jobcenter Görlitz",
        "Jobcenter Bautzen",
    ]
    assert shown.entries[0].versions == (
        ("Jobcenter Görlitz", "https://goerlitz.example/2"),
        ("Jobcenter Spree-Neiße", "https://spree-neisse.example/1"),
    )
    assert shown.joint == 1 and shown.lands_published == 2
    page = render_review(shown)
    assert page.count("· gemeinsame Meldung") == 1
    assert "&lt;script&gt;" in page and "<script>" not in page


def test_problems_read_in_plain_german_with_the_technical_one_kept():
    def row(kind: Failure, problem: str) -> SourceHealth:
        return SourceHealth(
            "x", None, None, Health.ERROR, 2, None, 0, 0, problem, problem_kind=kind
        )

    assert row(Failure.TIMEOUT, "timed out after 20 s").reason == (
        "Die Website antwortet nicht rechtzeitig."
    )
    missing = row(Failure.HTTP_STATUS, "HTTP 404 Not Found")
    assert missing.reason == "Die Seite wurde nicht gefunden – vielleicht verschoben."
    assert missing.problem == "HTTP 404 Not Found"
    assert row(Failure.INTERNAL, "KeyError").reason == "Technischer Fehler beim Abrufen."
    healthy = SourceHealth("x", None, None, Health.OK, 0, None, 3, 1, None)
    assert healthy.reason is None
