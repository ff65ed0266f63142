"""A digest as coordinators read it: items by Land and jobcenter, a joint release once
with the jobcenters that published it, failing sources named, and a multipart message
whose HTML part cannot be broken by what a title holds."""

from __future__ import annotations

from dataclasses import replace
from email import policy
from email.parser import BytesParser

from aggregator.publish.digests import SHOWN, build_message, digest_view, render_text
from aggregator.publish.documents import teaser
from tests.helpers.digest_items import CONFIG, HEALTH, ITEMS, JOINT, PERIOD, SOURCES, T0, stored


def view():  # type: ignore[no-untyped-def]
    return digest_view(
        CONFIG.digests[0], CONFIG, PERIOD, ITEMS, SOURCES, HEALTH, "https://presse.example.org"
    )


def test_items_are_grouped_by_land_and_jobcenter_and_a_joint_release_is_shown_once():
    shown = view()
    assert [land.name for land in shown.lands] == ["Sachsen"]  # Spree-Neiße only jointly
    assert [jc.name for jc in shown.lands[0].jobcenters] == [
        "Jobcenter Bautzen",
        "Jobcenter Görlitz",
    ]
    [joint] = shown.joint
    assert joint.jobcenters == (
        ("Jobcenter Görlitz", "https://goerlitz.example/2"),
        ("Jobcenter Spree-Neiße", "https://spree-neisse.example/1"),
    )
    assert joint.total == 3
    assert shown.items == 4 and shown.jobcenters == 3
    assert shown.failing == ("Jobcenter Bautzen",)
    assert shown.subject == (
        "Aktionswoche der kommunalen Jobcenter 2022: 4 neue Meldungen – Mittwoch, 22. Juni 2022"
    )


def test_the_text_part_reads_as_a_letter():
    text = render_text(view())
    assert text.count(f"* {JOINT}") == 1
    assert (
        "Veröffentlicht von 2 Jobcentern (insgesamt 3):\n"
        "  - Jobcenter Görlitz: https://goerlitz.example/2\n"
        "  - Jobcenter Spree-Neiße: https://spree-neisse.example/1\n"
    ) in text
    assert "1 Quelle gestört (dort kann etwas fehlen): Jobcenter Bautzen" in text
    assert "https://presse.example.org/feeds/campaigns/aktionswoche-2022.atom" in text
    assert "Abbestellen: eine kurze Nachricht an monitor@kreis.example" in text
    assert (
        text.index("SACHSEN")
        < text.index("\nJobcenter Bautzen\n")
        < text.index("\nJobcenter Görlitz\n")
    )


def test_the_message_has_both_parts_utf8_and_an_html_part_that_titles_cannot_break():
    mail = CONFIG.mail
    assert mail is not None
    built = build_message(
        view(), mail, "presse@landkreistag.example", "<id@presse.example.org>", T0
    )
    parsed = BytesParser(policy=policy.default).parsebytes(built.as_bytes())
    assert parsed["Subject"].startswith("Aktionswoche der kommunalen Jobcenter 2022: 4 neue")
    assert parsed["To"] == "presse@landkreistag.example"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["List-Unsubscribe"] == (
        "<mailto:monitor@kreis.example?subject=Abbestellen%20team>"
    )
    assert parsed.get_content_type() == "multipart/alternative"
    text_part, html_part = parsed.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert "Größe, Übergänge" in text_part.get_content()
    html = html_part.get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://goerlitz.example/3"' in html


def test_a_long_subject_reads_back_with_single_spaces():
    """Python's header folder breaks a line before an encoded word ("–") and leaves the
    space before the break: a reader unfolding per RFC 5322 saw two spaces (issue 31, 4)."""
    mail = CONFIG.mail
    assert mail is not None
    built = build_message(
        view(), mail, "presse@landkreistag.example", "<id@presse.example.org>", T0
    )
    subject = view().subject
    assert "–" in subject and len(subject) > 78
    sent = built.as_bytes(policy=built.policy.clone(linesep="\r\n"))  # as smtplib writes it
    for reading in (policy.default, policy.SMTP):
        assert BytesParser(policy=reading).parsebytes(sent)["Subject"] == subject


def test_a_teaser_is_cut_at_a_word():
    long = "Wort " * 100
    cut = teaser(long, 30)
    assert cut.endswith(" …") and len(cut) <= 32 and "Wor …" not in cut
    assert teaser("kurz  und\n gut") == "kurz und gut"


def test_a_link_that_is_not_http_is_replaced_by_the_page_it_came_from():
    hostile = stored("goerlitz", "Klick")
    hostile = replace(hostile, item=replace(hostile.item, url="javascript:alert(1)"))
    shown = digest_view(
        CONFIG.digests[0], CONFIG, PERIOD, [hostile], SOURCES, [], "https://presse.example.org"
    )
    assert shown.lands[0].jobcenters[0].lines[0].url == "https://goerlitz.example/rss"


def test_a_long_digest_shows_the_newest_and_counts_the_rest():
    many = [stored("goerlitz", f"Meldung {n}", hours=n) for n in range(SHOWN + 7)]
    shown = digest_view(
        CONFIG.digests[0], CONFIG, PERIOD, many, SOURCES, [], "https://presse.example.org"
    )
    lines = [line for land in shown.lands for jc in land.jobcenters for line in jc.lines]
    assert len(lines) == SHOWN and shown.items == SHOWN + 7 and shown.not_shown == 7
    assert "Meldung 0" not in {line.title for line in lines}  # the oldest are left out
    text = render_text(shown)
    assert (
        "… und 7 ältere Meldungen, die hier nicht stehen: "
        "https://presse.example.org/feeds/campaigns/aktionswoche-2022.atom"
    ) in text
