"""The sample press offices of the demo, rendered from corpus.yaml into the page styles
of municipal CMS products (listing pages, detail pages, feeds, homepages), and the
sources.yaml that reads them. Pure: a base URL in, pages and config text out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from email.utils import format_datetime
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from aggregator.core.text import fold
from aggregator.core.time import BERLIN

CORPUS_PATH = Path(__file__).with_name("corpus.yaml")
CAMPAIGNS_PATH = Path(__file__).with_name("campaigns.yaml")
MONTHS = tuple(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)
# style -> (listing template or None, feed template or None, preset for sources.yaml)
STYLES: dict[str, tuple[str | None, str | None, str | None]] = {
    "ikiss": ("ikiss.html", None, "ikiss"),
    "typo3-news": ("typo3-news.html", "rss.xml", "typo3-news"),
    "weblication": ("weblication.html", None, "weblication"),
    "nolis": ("nolis.html", None, "nolis"),
    "cards": ("cards.html", None, None),  # no preset: the zero-configuration heuristic
    "table": ("table.html", None, None),
    "rss": (None, "rss.xml", None),
    "atom": (None, "atom.xml", None),
    "homepage-typo3": ("typo3-news.html", "rss.xml", None),  # found from the homepage
    "homepage-atom": (None, "atom.xml", None),
}
ENCODINGS = {"table": "windows-1252"}  # an old system, as some offices still run


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str


@dataclass
class Release:
    number: int
    title: str
    text: str
    published: datetime
    url: str = ""


@dataclass
class Office:
    id: str
    name: str
    land: str
    kind: str
    style: str
    aliases: list[str]
    publisher: str | None
    releases: list[Release] = field(default_factory=list)
    home: str = ""
    listing: str | None = None
    feed: str | None = None

    @property
    def feed_type(self) -> str:
        atom = STYLES[self.style][1] == "atom.xml"
        return "application/atom+xml" if atom else "application/rss+xml"

    @property
    def generator(self) -> str | None:
        return "TYPO3 CMS" if "typo3" in self.style else None

    def place(self, base: str) -> None:
        """The URLs of an office's pages, in the manner of its CMS."""
        self.home = f"{base.rstrip('/')}/{self.id}/"
        listing, feed, _ = STYLES[self.style]
        if listing == "ikiss.html":
            self.listing = f"{self.home}Pressemitteilungen.php"
        elif listing == "nolis.html":
            self.listing = f"{self.home}portal/seiten/pressemitteilungen-900000012-20350.html"
        elif listing:
            self.listing = f"{self.home}presse/"
        if feed == "rss.xml":
            self.feed = f"{self.listing}?type=9818" if listing else f"{self.home}rss.xml"
        elif feed == "atom.xml":
            self.feed = f"{self.home}presse.atom"
        for release in self.releases:
            if self.style == "nolis":
                name = f"{slug(release.title)}-9010{release.number}-20350.html"
                release.url = f"{self.home}portal/meldungen/{name}"
            else:
                release.url = f"{self.home}presse/{release.number}-{slug(release.title)}.html"


def slug(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold(title)))[:60].strip("-")


def load_offices(base: str) -> list[Office]:
    """The corpus's offices with their releases, newest first, placed under `base`."""
    corpus = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
    offices = {entry["id"]: _office(entry) for entry in corpus["sources"]}
    for number, entry in enumerate(corpus["items"], start=100):
        day = entry["date"]  # YAML reads 2019-08-28 as a date
        hour = time.fromisoformat(entry.get("time", "10:00"))
        published = datetime.combine(day, hour, tzinfo=BERLIN)
        offices[entry["source"]].releases.append(
            Release(number, entry["title"], " ".join(entry["text"].split()), published)
        )
    for office in offices.values():
        office.releases.sort(key=lambda release: release.published, reverse=True)
        office.place(base)
    return list(offices.values())


def _office(entry: dict) -> Office:
    return Office(
        entry["id"],
        entry["name"],
        entry["land"],
        entry.get("kind", "landkreis"),
        entry["style"],
        entry.get("aliases", []),
        entry.get("publisher"),
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("aggregator.demo", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["de_date"] = lambda value: value.strftime("%d.%m.%Y")
    env.filters["de_long_date"] = lambda day: f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    env.filters["rfc822"] = format_datetime
    return env


def build_sites(offices: list[Office], details: bool = True) -> dict[str, Page]:
    """Every page of every office, by URL (path and query, as requested); without the
    release pages if not `details`."""
    env = _environment()
    pages: dict[str, Page] = {}

    def add(
        url: str, template: str, content_type: str, encoding: str = "utf-8", **extra: object
    ) -> None:
        text = env.get_template(template).render(charset=encoding, **extra)
        path = url.split("/", 3)[3]
        pages["/" + path] = Page(text.encode(encoding, errors="xmlcharrefreplace"), content_type)

    pages["/"] = Page(
        env.get_template("index.html").render(offices=offices).encode(), "text/html; charset=utf-8"
    )
    for office in offices:
        listing, feed, _ = STYLES[office.style]
        encoding = ENCODINGS.get(office.style, "utf-8")
        html = "text/html; charset=utf-8" if encoding == "utf-8" else "text/html"
        context = {"office": office, "releases": office.releases}
        add(office.home, "homepage.html", "text/html; charset=utf-8", **context)
        if listing and office.listing:
            add(office.listing, listing, html, encoding, **context)
        if feed and office.feed:
            kind = "application/atom+xml" if feed == "atom.xml" else "application/rss+xml"
            add(office.feed, feed, f"{kind}; charset=utf-8", **context)
        for release in office.releases if details else ():
            add(release.url, "detail.html", html, encoding, office=office, release=release)
    return pages


def demo_config(offices: list[Office]) -> str:
    """sources.yaml for the demo: listing pages with and without preset, feeds, and
    offices that give only their homepage, so the demo shows every way in."""
    lines = [
        "# Written by `aggregator demo` for its sample press sites on loopback.",
        "version: 1",
        "defaults:",
        "  interval: 10m",
        "  timeout: 10s",
        "  host_delay: 0s  # all sample offices share one loopback host",
        CAMPAIGNS_PATH.read_text(encoding="utf-8").strip(),
        "sources:",
    ]
    for office in offices:
        entry: dict[str, object] = {
            "id": office.id,
            "name": office.name,
            "land": office.land,
            "kind": office.kind,
        }
        if office.publisher:
            entry["publisher"] = office.publisher
        if office.aliases:
            entry["aliases"] = office.aliases
        entry["homepage"] = office.home
        listing, feed, preset = STYLES[office.style]
        if not office.style.startswith("homepage-"):
            if feed and office.feed and not listing:
                entry["feeds"] = [office.feed]
            if listing and office.listing:
                entry["pages"] = [{"url": office.listing, **({"preset": preset} if preset else {})}]
        dumped = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=200)
        lines.append("\n".join("  " + line for line in dumped.splitlines()))
    return "\n".join(lines) + "\n"
