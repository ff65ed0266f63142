"""Entry -> Item: canonical links, clean text, sanitised HTML, a stable identity.

Pure functions: the clock comes in as `now`.
"""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
import nh3

from aggregator.core.model import Entry, Item
from aggregator.core.text import drop_not_xml, xml_safe

# Parameters that track a visitor or a session and never address content.
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
        "phpsessid", "sid", "sessionid", "session_id", "jsessionid", "cfid", "cftoken",
        "oscsid", "zenid", "ref", "wt_mc", "wt.mc_id", "piwik_campaign", "pk_campaign",
        "pk_kwd", "mtm_campaign", "mtm_kwd", "mtm_source", "mtm_medium", "yclid",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_BLOCK_END = re.compile(r"<(br|hr|/p|/div|/li|/h[1-6]|/tr|/td|/th|/dd|/dt)\b[^>]*>", re.I)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "dl", "dt", "em",
        "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
        "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
        "td", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # no press office published online before


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """Absolute, canonical form of a link; parameters that address content are kept."""
    url = drop_not_xml(url).strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not is_tracking_parameter(k)]
    return urlunsplit((scheme, netloc, path, urlencode(kept, safe="[]/,:"), ""))


def link_key(url: str) -> str:
    """Identity of a canonical link, the same for http and https."""
    return "link:" + url.split("://", 1)[-1]


def clean_text(markup: str | None) -> str:
    """Plain text from text or HTML: tags gone, entities decoded, whitespace folded."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:  # text already: nothing to parse
        safe = xml_safe(markup)
        if not safe.startswith("\ufeff"):  # which the HTML parser would drop
            return _SPACE.sub(" ", safe).strip()
    return text_of_markup(markup)


def text_of_markup(markup: str) -> str:
    """clean_text by the HTML parser, whatever `markup` holds."""
    spaced = _BLOCK_END.sub(" ", markup)
    stripped = nh3.clean(xml_safe(spaced), tags=set())
    return _SPACE.sub(" ", xml_safe(html.unescape(stripped))).strip()


def sanitize_html(markup: str | None, base: str | None = None) -> str:
    """An allow-list of harmless tags; no scripts, styles, frames, on* or javascript:."""
    if not markup or not markup.strip():
        return ""
    if base and "<" in markup:
        try:
            fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
            fragment.make_links_absolute(base, resolve_base_href=False)
            markup = lxml.html.tostring(fragment, encoding="unicode")[5:-6]
        except (ValueError, AssertionError, lxml.etree.ParserError):  # two <body>: an assert
            pass
    cleaned = nh3.clean(
        xml_safe(markup),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return xml_safe(drop_control_references(cleaned)).strip()


_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _keep_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if code > 0x10FFFF or xml_safe(chr(code)) != chr(code):
        return ""
    return match.group()


def drop_control_references(markup: str) -> str:
    """Character references to what XML forbids (`&#x1b;`) are as unwelcome in the HTML
    that an Atom document carries as the characters themselves."""
    return _CHARACTER_REFERENCE.sub(_keep_reference, markup) if "&#" in markup else markup


def fingerprint(title: str, text: str) -> str:
    """A hash of the words of title and teaser: equal for the same release however marked up.

    Full text fetched later from a detail page does not enter it, so that a listing
    entry keeps its fingerprint once its detail page has been read.
    """
    words = _WORD.findall(f"{title} {text}".lower())
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def _is_stable_uri(guid: str) -> bool:
    return guid.startswith(("http://", "https://", "urn:", "tag:"))


def item_key(entry: Entry, url: str | None, published: datetime | None) -> str:
    """Identity within a source: a stable GUID, else the canonical link, else a hash."""
    if entry.guid and _is_stable_uri(entry.guid.strip()):
        guid = entry.guid.strip()
        if guid.startswith(("http://", "https://")):
            return link_key(canonical_url(guid))
        return "guid:" + guid
    if url:
        return link_key(url)
    stamp = published.isoformat() if published else ""
    digest = hashlib.sha1(f"{entry.title}\n{stamp}".encode()).hexdigest()
    return "hash:" + digest


def atom_id(source_id: str, key: str) -> str:
    """The permanent Atom id of an item, derived from its identity only."""
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"jobcenter-aggregator:{source_id}:{key}")
    )


def plausible(published: datetime | None, now: datetime) -> tuple[datetime | None, str]:
    """The date in UTC if it can be a publication date, else None and why not: before
    1990 (year 1, year 0 read as 2000 by some parsers) or after tomorrow."""
    if published is None:
        return None, ""
    if published.year == 1:  # parse.dates.NOT_A_YEAR: year 0 or negative
        return None, "no date: the year is 0 or negative"
    written = published.isoformat()
    try:
        published = published.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        return None, f"no date: {written} is out of range"
    if published < EARLIEST:
        return None, f"no date: {written} is before 1990"
    if published > now + FUTURE_TOLERANCE:
        return None, f"date in the future ({written})"
    return published, ""


def normalize_entry(
    entry: Entry, *, source_id: str, base_url: str, fetched_from: str, now: datetime
) -> tuple[Item | None, list[str]]:
    """Turn a parsed entry into an Item; returns notes on what looked wrong."""
    notes: list[str] = []
    url = canonical_url(entry.link, base_url) if entry.link else None
    if url and not url.startswith(("http://", "https://")):
        notes.append(f"ignored link with scheme {urlsplit(url).scheme!r}: {entry.link!r}")
        url = None
    summary_html = sanitize_html(entry.summary_html, base_url)
    content_html = sanitize_html(entry.content_html, base_url)
    if content_html == summary_html:  # a feed's content often repeats its summary
        content_html = ""
    teaser = clean_text(summary_html)
    summary_text = teaser or clean_text(content_html)[:500]
    title = clean_text(entry.title) or summary_text[:100]
    if not title and not url:
        notes.append("skipped an entry with neither title nor link")
        return None, notes
    published, why_not = plausible(entry.published or entry.updated, now)
    date_is_guess = published is None
    if why_not:
        notes.append(f"{why_not} for {title!r}; using first seen")
    key = item_key(entry, url, published)
    item = Item(
        source_id=source_id,
        key=key,
        url=url,
        title=title,
        summary_html=summary_html,
        summary_text=summary_text,
        content_html=content_html,
        published=published or now.astimezone(UTC),
        date_is_guess=date_is_guess,
        fingerprint=fingerprint(title, teaser),
        fetched_from=fetched_from,
        guid=entry.guid,
    )
    return item, notes
