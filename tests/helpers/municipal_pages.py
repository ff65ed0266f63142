"""Pages after the patterns real municipal sites show (issue 14): undated teaser lists,
zebra rows, records over several rows, flat siblings, homepages with tickers, GSB lists;
and the small steps the tests of those patterns share (one source, a fetch, a read)."""

from __future__ import annotations

from aggregator.config.schema import PageTarget
from aggregator.parse.pages import parse_listing
from tests.helpers.cli import run_cli

BASE = "https://www.gemeinde-beispiel.de/aktuelles.php"


MENU = """<div id="linkeSpalte"><ul>
  <li><a href="/rathaus.php">Rathaus</a></li>
  <li><a href="/buergerservice.php">Bürgerservice</a></li>
  <li><a href="/bauplaetze.php">Bauplätze</a></li><li><a href="/notrufe.php">Notrufe</a></li>
  <li><a href="/vereine.php">Vereine</a></li><li><a href="/kontakt.php">Kontakt</a></li>
</ul></div>"""


FOOTER = """<div class="fusszeile"><ul><li><a href="/impressum.php">Impressum</a></li>
  <li><a href="/datenschutz.php">Datenschutzerklärung der Gemeinde</a></li>
  <li><a href="/barrierefreiheit.php">Erklärung zur Barrierefreiheit</a></li></ul></div>"""


TAGS = """<div class="schlagworte"><a href="/t/kita">Kita</a> <a href="/t/bauen">Bauen</a>
  <a href="/t/wahl">Wahl</a> <a href="/t/abfall">Abfall</a> <a href="/t/sport">Sport</a></div>"""


POST_PAGER = """<form method="post" action="/aktuelles.php"><input type="hidden" name="seite"
  value="2"><button type="submit" name="p" value="1">1</button><button type="submit" name="p"
  value="2">2</button><button type="submit" name="p" value="3">3</button></form>"""


UNDATED = [
    ("Ferienprogramm", "ferien"),  # two words: kept with its group
    ("Neues Adressbuch", "adressbuch"),
    ("Einladung zur Gemeinderatssitzung am Mittwoch, 14. August 2019", "gemeinderat"),
    ("Baugebiet \u201eAm Sonnenhang\u201c wird erweitert", "baugebiet"),
    ("Jobcenter informiert zur Aktionswoche der kommunalen Jobcenter", "aktionswoche"),
    ("Feststellung der Jahresrechnung 2018", "jahresrechnung"),
]


def teaser_page(items=UNDATED) -> str:
    """An OpenText RedDot municipal template: picture link + text link, no date."""
    href = "/aktuelles.php?&amp;publish[id]={}&amp;publish[start]=0"
    rows = "".join(
        f"""<li><div class="teaserPicture"><a href="{href.format(n)}">
        <img alt="Diesen Artikel lesen" src="/bilder/teaser{n}.jpg"></a></div>
        <div class="aktuellbereichText"><a href="{href.format(n)}"
        title="Diesen Artikel lesen">{title}</a></div></li>"""
        for n, (title, _) in enumerate(items, 300)
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="windows-1252">
    <title>Aktuelles</title></head><body>{MENU}<div id="contentbereich">
    <div class="aktuellTeaser"><h4>Die Gemeinde informiert</h4><ul>{rows}</ul></div>
    {POST_PAGER}</div>{TAGS}{FOOTER}</body></html>"""


def one_source(write_config, source_id: str, target: str):
    """A sources.yaml with one source reading `target` ("pages: […]" or "homepage: …")."""
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        f"  - {{id: {source_id}, name: Landkreis {source_id.title()}, land: BW, "
        f"kind: landkreis, {target}}}\n"
    )


def fetch(config, db, expect: int = 0) -> str:
    """`aggregator fetch` as an operator runs it; its progress lines."""
    fetched = run_cli("--config", str(config), "--db", str(db), "fetch")
    assert fetched.returncode == expect, fetched.stderr.decode()
    return fetched.stderr.decode()


def read(html: str, url: str = BASE):
    body = html.encode("cp1252", errors="xmlcharrefreplace")
    return parse_listing(body, {"content-type": "text/html"}, url, PageTarget(url=url))


def document_rows(count: int) -> str:
    """A parliament's document list: title row (icon link + text link), meta row with
    number, type and date, a row with a button, a spacer row; header rows first."""
    head = (
        "<tr><td colspan=4><hr></td></tr><tr><th rowspan=2>Dokument</th><th colspan=3>Titel"
        "</th></tr><tr><th>Nummer</th><th>Typ</th><th>Datum</th></tr>"
    )
    rows = "".join(
        f"""<tr><td class="doc" rowspan="2"><table><tr><td><a href="/dok/{n}.pdf"
        title="PDF Dokument öffnen (1{n}3 KB)"><img alt="PDF Dokument öffnen" src="/i/pdf.gif">
        </a></td></tr></table></td><td class="title" colspan="3"><a href="/dok/{n}.pdf"
        title="PDF Dokument öffnen (1{n}3 KB)">Anfrage {n} zur Lage der Jobcenter im Kreis</a>
        </td></tr><tr><td>7/{500 + n}</td><td>Kleine Anfrage</td><td>{10 + n}.03.2020</td></tr>
        <tr><td><button onclick="location.href='/vorgang/{n}'">Vorgang</button></td>
        <td colspan="3">Abgeordnete Beispiel</td></tr><tr><td></td><td colspan="3"></td></tr>"""
        for n in range(count)
    )
    table = f"<table id='result'>{head}{rows}</table>"
    return f"<html><body><div class='ergebnis'>{table}</div></body></html>"


def homepage() -> str:
    """A Land portal's homepage: menus, a photo carousel, dated social-media posts, and
    the undated press ticker under the heading "Pressemitteilungen"."""
    ticker = "".join(
        f'<li><a href="/{slug}/" title="{title}">{title}</a></li>'
        for slug, title in (
            ("minister-ehrt-bergretter", "Minister ehrt verdiente Bergretter"),
            ("barrierefreie-bahnhoefe", "Ausbau weiterer barrierefreier Bahnhöfe im Land"),
            ("wohnheimplaetze", "209 neue Wohnheimplätze für Studierende: „Wertvoller ..."),
            ("jobcenter-aktionswoche", "Kommunale Jobcenter laden zur Aktionswoche ein"),
            ("schuelergerichte", "Justizministerin eröffnet neuntes Schülergericht ..."),
        )
    )
    photos = "".join(
        f'<li><div class="fotoreihe"><a href="/fotoreihen/?frid={n}" title="Fotoreihe"><img '
        f'src="/f/{n}.jpg" alt="Foto"></a><div class="overlay"><a href="/fotoreihen/?frid={n}">'
        f"Besuch der Ministerin in der Gemeinde Nummer {n}</a></div></div></li>"
        for n in range(6)
    )
    posts = "".join(
        f'<li><div class="fbitem"><h4><a href="https://www.facebook.com/Land/">Unser Land</a>'
        f'</h4><span class="fbdatum">0{n + 1}.10.2017 11:15</span><p>Herbstzeit! Wie mögt ihr '
        f"den Kürbis am liebsten? Tipps gibt es hier.</p></div></li>"
        for n in range(5)
    )
    menu = "".join(
        f'<li><a href="/{w.lower()}/">{w}</a></li>' for w in ("Land", "Service", "Politik")
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Land</title>
    </head><body><div id="kopf"><ul class="hauptmenue">{menu}</ul></div><div id="content">
    <div id="ticker"><h3><a href="/presse/">Pressemitteilungen</a></h3><div class="wrap">
    <div class="pressecarousel"><ul>{ticker}</ul></div></div></div>
    <div class="block"><div class="fotocarousel"><ul>{photos}</ul></div></div>
    <div class="social"><ul>{posts}</ul></div></div></body></html>"""


def release_page() -> str:
    """A release's own page: its text, and lists of related and earlier releases."""
    related = "".join(
        f'<li><a href="/presse/pm-{n}.html">Pressemitteilung Nr. {n} vom 0{n}.11.2021 zur '
        "Lage an der Grenze</a></li>"
        for n in range(1, 8)
    )
    more = "".join(
        f'<li><a href="/presse/weitere-{n}.html">Weitere Meldung {n} aus dem Amt für '
        "Migration</a></li>"
        for n in range(6)
    )
    text = "Die Bundespolizei stellte im November mehr unerlaubte Einreisen fest. " * 12
    return f"""<html><head><meta property="og:type" content="article"></head><body>
    <div id="content"><div class="column"><h1>Illegale Migration: Feststellungen im Jahr</h1>
    <p>10.11.2021</p><p>{text}</p><p>Siehe dazu auch die Pressemitteilungen:</p>
    <ul>{related}</ul></div><div class="related"><h2>Weitere Meldungen</h2><ul>{more}</ul>
    </div></div></body></html>"""


def zebra_page() -> str:
    rows = "".join(
        f"<tr{' class=hg' if n % 2 else ''}><td>{n + 1:02d}.08.2019</td>"
        f'<td><a href="/zebra/pm-{n}.html">Kreis fördert Projekt {n} im Jobcenter</a></td></tr>'
        for n in range(7)
    )
    return f"<html><body><main><table>{rows}</table></main></body></html>"


def flat_page() -> str:
    runs = "".join(
        f'<a href="/flach/{n}.html">Neue Sprechzeiten im Bürgerbüro ab Woche {n}</a>'
        f"<ul class='meta'><li>Veröffentlicht am 0{n + 1}.09.2019</li></ul><hr>"
        for n in range(5)
    )
    return f"<html><body><div id='inhalt'>{runs}</div></body></html>"


def gsb_page() -> str:
    """A result list of a Government Site Builder site: links carry the navigation node
    (?nn=), pages are reached by gtp=<node>_list%3D<n>."""
    rows = "".join(
        f"""<div class="teaser"><p class="date">2{n}.08.2019</p><h2><a
        href="SharedDocs/Pressemitteilungen/DE/2019/08/pm-{n}.html?nn=520690">Meldung {n} des
        Landesamts</a></h2><p>Kurzfassung der Meldung {n}.</p></div>"""
        for n in range(4)
    )
    pager = "SiteGlobals/Forms/Suche/Pressesuche_Formular.html?gtp=520690_list%253D2&amp;nn=520690"
    return f"""<html><body><div id="navPrimary">{MENU}</div><div id="content">
    <h1>Pressemitteilungen</h1>{rows}<div class="navIndex"><ul><li><strong>1</strong></li>
    <li><a href="{pager}">2</a></li><li class="forward"><a href="{pager}"
    title="Zur nächsten Seite">weiter</a></li></ul></div></div>{FOOTER}</body></html>"""


def small_office(items: list[tuple[str, str]]) -> str:
    """A small office's press list in a template of its own (no known product)."""
    rows = "".join(
        f"""<div class="meldung-kachel"><span class="stand">{day}.2019</span>
        <h3 class="kachel-titel"><a href="/presse/{day}-{len(title)}.html">{title}</a></h3>
        <p>Eine Meldung der Kreisverwaltung.</p></div>"""
        for title, day in items
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Presse</title>
    </head><body>{MENU}<main><h1>Pressemeldungen</h1><section class="kacheln">{rows}</section>
    </main>{FOOTER}</body></html>"""


FOUR = [
    ("Neue Sprechzeiten", "02.09"),
    ("Aktionswoche im Jobcenter", "28.08"),
    ("Kreistag tagt", "20.08"),
    ("Ferienende", "12.08"),
]


ONE_LEFT = [("Jobcenter zieht Bilanz der Aktionswoche", "06.09")]
