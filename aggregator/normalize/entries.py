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

from aggregator.core.kinds import DatedBy
from aggregator.core.model import Entry, Item
from aggregator.core.text import drop_not_xml, xml_safe
from aggregator.parse.dates import NOT_A_YEAR

# Parameters that track a visitor or a session and never address content.
_TRACKING_EXACT = frozenset(
    """
    fbclid gclid dclid msclkid mc_cid mc_eid _hsenc _hsmi phpsessid sid sessionid session_id
    jsessionid cfid cftoken oscsid zenid ref wt_mc wt.mc_id piwik_campaign pk_campaign pk_kwd
    mtm_campaign mtm_kwd mtm_source mtm_medium yclid
    """.split()
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_BLOCK_END = re.compile(r"<(br|hr|/p|/div|/li|/h[1-6]|/tr|/td|/th|/dd|/dt)\b[^>]*>", re.I)
_SPACE = re.compile(r"\s+")
# A word its source broke at a line end with a hyphen ("Aktions-\nwoche"): one word again.
# A hyphen before "und", "oder" … stands for a word left out ("Kinder- und Jugendhilfe").
_LINE_BREAK_HYPHEN = re.compile(
    r"(?<=[a-zäöüß])-[ \t]*(?:\r\n?|\n)\s*"
    r"(?!(?:und|oder|bis|sowie|bzw|als|wie|noch)\b)(?=[a-zäöüß])"
)


# A compound broken after its own hyphen ("Baden-\nWürttemberg", "E-\nMail") keeps it.
_BROKEN_COMPOUND = re.compile(r"(?<=\w)-[ \t]*(?:\r\n?|\n)\s*(?=[A-ZÄÖÜ0-9])")


def joined_hyphens(text: str) -> str:
    """Words its source broke with a hyphen at a line end, joined; a line ends as HTML
    ends it: CR LF, LF or a lone CR."""
    if "\n" not in text and "\r" not in text:
        return text
    return _BROKEN_COMPOUND.sub("-", _LINE_BREAK_HYPHEN.sub("", text))


_WORD = re.compile(r"\w+")

ALLOWED_TAGS = frozenset(
    """
    a abbr b blockquote br cite code dd dl dt em figcaption figure h2 h3 h4 h5 h6 hr i img li ol p
    pre q s small strong sub sup table tbody td th thead tr u ul
    """.split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# What a reader can show: a headline of a few lines, a teaser of a paragraph or two, a
# release of some pages. A 1 MB title was stored and served whole.
MAX_TITLE = 300
MAX_TEASER = 1_000
MAX_SUMMARY_HTML = 20_000
MAX_CONTENT_HTML = 200_000
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


def canonical_or_none(url: str, base: str | None = None) -> str | None:
    """canonical_url, or None for a link no URL parser reads (a port that is no number,
    an unclosed IPv6 bracket, `at://did:plc:…`): such a link is dropped, the entry kept."""
    try:
        return canonical_url(url, base)
    except ValueError:
        return None


def link_key(url: str) -> str:
    """Identity of a canonical link, the same for http and https."""
    return "link:" + url.split("://", 1)[-1]


def clean_text(markup: str | None) -> str:
    """Plain text from text or HTML: tags gone, entities decoded, whitespace folded."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:  # text already: nothing to parse
        safe = joined_hyphens(xml_safe(markup))
        if not safe.startswith("\ufeff"):  # which the HTML parser would drop
            return _SPACE.sub(" ", safe).strip()
    return text_of_markup(markup)


# What a title may carry as markup: emphasis and breaks. Any other tag in a title is text
# its author wrote ("&lt;script&gt;" escaped in RSS), not markup to strip with its content.
_TITLE_MARKUP = frozenset(
    "b i em strong u s sup sub small span br abbr q cite code mark font wbr".split()
)
_TAG_NAME = re.compile(r"</?([A-Za-z][\w:-]*)")


def title_text(raw: str | None) -> str:
    """A title as plain text: inline markup dropped, anything else that looks like a tag
    kept as the text it is."""
    if not raw:
        return ""
    if "<" in raw and any(n.lower() not in _TITLE_MARKUP for n in _TAG_NAME.findall(raw)):
        return _SPACE.sub(" ", xml_safe(raw)).strip()
    return clean_text(raw)


def text_of_markup(markup: str) -> str:
    """clean_text by the HTML parser, whatever `markup` holds."""
    spaced = _BLOCK_END.sub(" ", close_self_closed(markup))
    stripped = nh3.clean(xml_safe(spaced), tags=set())
    return _SPACE.sub(" ", joined_hyphens(xml_safe(html.unescape(stripped)))).strip()


_VOID = frozenset(
    """
    area base br col embed hr img input link meta param source track wbr basefont frame isindex
    keygen command
    """.split()
)
_SELF_CLOSED = re.compile(r"<([A-Za-z][\w:-]*)(\s[^<>]*?)?\s*/>")


def _opened_and_closed(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.lower() in _VOID:
        return match.group()
    return f"<{name}{match.group(2) or ''}></{name}>"


# Elements whose content an HTML parser reads as raw text up to their end tag.
_RAW_TEXT = tuple(
    "iframe script style noscript noembed noframes xmp textarea title plaintext".split()
)
_RAW_TEXT_TAG = re.compile(rf"<(/?)({'|'.join(_RAW_TEXT)})\b[^>]*>", re.I)


def _closed_at_once(markup: str) -> str:
    """A raw-text element whose start tag is followed by no end tag of its own (the next
    tag of its name is another start, or there is none) was written self-closed, and
    feedparser's link resolver dropped the slash: it ends where it starts."""
    tags = [(m, m.group(2).lower(), bool(m.group(1))) for m in _RAW_TEXT_TAG.finditer(markup)]
    unclosed = []
    for i, (match, name, is_end) in enumerate(tags):
        following = next((end for _, other, end in tags[i + 1 :] if other == name), False)
        if not is_end and not following:
            unclosed.append(match)
    for match in reversed(unclosed):
        markup = f"{markup[: match.end()]}</{match.group(2)}>{markup[match.end() :]}"
    return markup


def close_self_closed(markup: str) -> str:
    """`<iframe src=…/>` as XHTML means it, an empty element: an HTML parser reads an open
    one instead, and takes everything after it for the frame's (or script's) content."""
    if "/>" in markup:
        markup = _SELF_CLOSED.sub(_opened_and_closed, markup)
    return _closed_at_once(markup) if _RAW_TEXT_TAG.search(markup) else markup


def sanitize_html(markup: str | None, base: str | None = None) -> str:
    """An allow-list of harmless tags; no scripts, styles, frames, on* or javascript:."""
    if not markup or not markup.strip():
        return ""
    markup = close_self_closed(markup)
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
    return joined_hyphens(xml_safe(drop_control_references(cleaned))).strip()


_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _keep_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if 0xD800 <= code <= 0xDFFF:
        return "&#xFFFD;"
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
        canonical = canonical_or_none(guid) if guid.startswith(("http://", "https://")) else None
        if canonical:
            return link_key(canonical)
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
    if published == NOT_A_YEAR:
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


def shortened(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:–-") + "…"


def _markup_cut(markup: str | None, limit: int, notes: list[str]) -> str | None:
    """Markup over `limit` characters cut before the tag it would cut through; the
    sanitiser then closes what stays open."""
    if not markup or len(markup) <= limit:
        return markup
    notes.append(f"shortened a text of {len(markup)} characters to {limit}")
    cut = markup[:limit]
    open_tag = cut.rfind("<")
    return cut[:open_tag] if open_tag > cut.rfind(">") else cut


def normalize_entry(
    entry: Entry,
    *,
    source_id: str,
    base_url: str,
    fetched_from: str,
    now: datetime,
    dated_by: DatedBy = DatedBy.UNKNOWN,
) -> tuple[Item | None, list[str]]:
    """Turn a parsed entry into an Item; returns notes on what looked wrong. `dated_by`
    says where the entry's date came from (the item says first-seen if it has none)."""
    notes: list[str] = []
    url = canonical_or_none(entry.link, base_url) if entry.link else None
    if entry.link and url is None:
        notes.append(f"ignored a link no URL parser reads: {entry.link[:200]!r}")
    elif url and not url.startswith(("http://", "https://")):
        notes.append(f"ignored link with scheme {urlsplit(url).scheme!r}: {entry.link!r}")
        url = None
    summary_html = sanitize_html(_markup_cut(entry.summary_html, MAX_SUMMARY_HTML, notes), base_url)
    content_html = sanitize_html(_markup_cut(entry.content_html, MAX_CONTENT_HTML, notes), base_url)
    if content_html == summary_html:  # a feed's content often repeats its summary
        content_html = ""
    teaser = clean_text(summary_html)
    summary_text = shortened(teaser, MAX_TEASER) or shortened(clean_text(content_html), 500)
    full_title = title_text(entry.title)
    title = shortened(full_title, MAX_TITLE) or shortened(summary_text, 100)
    if len(full_title) > MAX_TITLE or len(teaser) > MAX_TEASER:
        notes.append(
            f"shortened a title of {len(full_title)} or a teaser of {len(teaser)} "
            f"characters to {MAX_TITLE} and {MAX_TEASER}: {title[:60]!r}"
        )
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
        dated_by=DatedBy.FIRST_SEEN if date_is_guess else dated_by,
    )
    return item, notes
