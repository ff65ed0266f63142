"""Which releases a newspaper article echoes (classify.echo), on the labelled texts of
tests/data/echo_texts.yaml and on the rules one at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from aggregator.classify.echo import Article, EchoFinder, names_the_campaign
from bench.echo import TEXTS, articles, releases

DATA = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
RELEASES = releases(DATA)
FINDER = EchoFinder(RELEASES)


@pytest.mark.parametrize(
    ("article", "entry"), articles(DATA), ids=lambda a: getattr(a, "title", "")
)
def test_each_labelled_article_echoes_exactly_its_releases(article: Article, entry: dict) -> None:  # type: ignore[type-arg]
    found = FINDER.echoes(article)
    assert {echo.key for echo in found} == set(entry["echoes"])
    for echo in found:
        assert echo.evidence and 0 < echo.score <= 2


def _release(key: str):  # type: ignore[no-untyped-def]
    return next(r for r in RELEASES if r.key == key)


def test_the_joint_text_does_not_link_a_reprint_to_every_jobcenter_that_published_it() -> None:
    """The first sentence of the Emsland and Ortenau releases is the same joint text: a
    paper printing Emsland's release echoes Emsland's only."""
    emsland = _release("emsland-bilanz")
    reprint = Article("Ems-Zeitung", emsland.title, emsland.text, emsland.published)
    assert [e.key for e in FINDER.echoes(reprint)] == ["emsland-bilanz"]


def test_an_echo_outside_the_release_time_is_none() -> None:
    release = _release("go-arbeitgeber")
    late = Article("Tageblatt", release.title, release.text, release.published + timedelta(days=60))
    early = Article("Tageblatt", release.title, release.text, release.published - timedelta(days=9))
    assert FINDER.echoes(late) == [] and FINDER.echoes(early) == []


def test_the_evidence_says_what_was_compared() -> None:
    release = _release("hm-tuer")
    quoted = Article(
        "Dewezet",
        "Tag der offenen Tür",
        "Die Landrätin nannte das Jobcenter Hameln-Pyrmont „ein Haus, in dem niemand verloren "
        "geht“. Schuldnerberatung und Suchtberatung stellten sich vor.",
        release.published,
    )
    [echo] = FINDER.echoes(quoted)
    assert echo.key == "hm-tuer"
    assert any(e.startswith("names 'jobcenter hameln pyrmont'") for e in echo.evidence)
    assert any("quotes the release" in e for e in echo.evidence)


def test_an_article_on_the_campaign_without_a_release_is_coverage() -> None:
    campaign = Article(
        "Zeit",
        "104 Jobcenter",
        "Die Aktionswoche der kommunalen Jobcenter beginnt heute.",
        _release("sn-aktion").published,
    )
    assert FINDER.echoes(campaign) == [] and names_the_campaign(campaign)
