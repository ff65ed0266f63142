"""Named selector sets for the CMS products that municipal press offices run on.

Each preset is written after the product's publicly documented or widely seen
markup conventions. Where we are unsure of a product's markup, the preset says
so; every preset has a fixture page (and a page 2) in tests/sites/presse/.
Explicit selectors in sources.yaml override the preset's, one by one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    items: str
    title: str | None = None
    link: str | None = None
    date: str | None = None
    summary: str | None = None
    next: str | None = None
    # query parameters that hold listing state (page, filters) rather than content;
    # dropped from item links so that an item has one identity on every page
    listing_params: tuple[str, ...] = ()
    uncertain: str = ""
    # Markup only this product writes: on a page without configuration, a preset whose
    # signature is there reads the page when it finds more items than the heuristic
    # (a last page, a small office with a single release).
    signature: str | None = None


IKISS = Preset(
    name="ikiss",
    description="IKISS portal (many Landkreise): ul > li, headline link with title, <time>",
    items=(
        "ul.result-list > li, ul.mitteilungen > li, ul.list > li:has(time), "
        "ul.list > li:has(small.date)"
    ),
    title=":is(h2, h3, h4) a[title], :is(h2, h3, h4)",
    link=":is(h2, h3, h4) a[href]",
    date="time[datetime], small.date, .date",
    summary="p.teaser, p",
    next="a[rel~=next], li.next a, a.next",
    listing_params=("max", "skip", "jahr", "monat"),
    uncertain=(
        "Detail URLs (…/<Titel>.php?object=tx,…&ModID=7&FID=…&NavID=…) and the query filters "
        "max/jahr/monat are well documented; list class names vary between installations, "
        "hence several alternatives, the older one with the date in small.date above an h4."
    ),
    signature="ul.list > li:has(small.date) h4 a[href*='object=tx']",
)

TYPO3_NEWS = Preset(
    name="typo3-news",
    description="TYPO3 with EXT:news (.news-list-view .article) or tt_news (.news-list-item)",
    items=".news-list-view .article, .news-list-item, .news-latest-item",
    title=":is(h2, h3, h4) [itemprop=headline], :is(h2, h3, h4)",
    link=":is(h2, h3, h4) a[href], a.more[href]",
    date="time[datetime], .news-list-date",
    summary="[itemprop=description], .teaser-text, .news-list-teaser, p",
    next=".f3-widget-paginator li.next a, .page-navigation a[rel~=next], a.next",
    listing_params=("tx_news_pi1[currentPage]", "tx_news_pi1[@widget_0][currentPage]"),
    signature=".news-list-view .article, .news-list-item",
    uncertain=(
        "Follows EXT:news' default templates; sites with their own templates keep the "
        "class names more often than not, but not always."
    ),
)

WEBLICATION = Preset(
    name="weblication",
    description="Weblication CMS: li.listEntry, h4.listEntryTitle a, div.listEntryDate",
    items="li.listEntry, div.listEntry",
    title=".listEntryTitle",
    link=".listEntryTitle a[href]",
    date=".listEntryDate",
    summary=".listEntryDescription",
    next="a.pageNaviNextLink",
    listing_params=("wListPage",),
    uncertain=(
        "Class names from Weblication's list templates; the name of the paging parameter "
        "differs between versions (pageId<hash>), so identity ignores the usual ones."
    ),
    signature="li.listEntry .listEntryTitle, div.listEntry .listEntryTitle",
)

NOLIS = Preset(
    name="nolis",
    description="Lower-Saxony style portals with /portal/meldungen/<slug>-<id>-<id>.html links",
    items=(
        "li:has(a[href*='/portal/meldungen/']), article:has(a[href*='/portal/meldungen/']), "
        "[class*='nolis-list-item']"
    ),
    title="a[href*='/portal/meldungen/']",
    link="a[href*='/portal/meldungen/']",
    date="time[datetime], .datum, .date",
    summary="p",
    next="a[rel~=next], a.next, a[title*='nächste' i]",
    listing_params=("seite", "js"),
    signature="[class*='nolis-list-'] a[href*='/portal/meldungen/']",
    uncertain=(
        "Only the URL scheme and the nolis-list-* class prefix of its list templates are "
        "publicly seen; the rest of the list markup is an assumption, so the preset keys on "
        "the link pattern and that prefix rather than on full class names."
    ),
)

ARCHIVE_BY_MONTH = Preset(
    name="archive-by-month",
    description="Year/month archives: /pressemitteilungen/2019/august/<slug>.php",
    items="li:has(a[href*='/pressemitteilungen/1']), li:has(a[href*='/pressemitteilungen/2'])",
    title="a[href]",
    link="a[href]",
    date=None,
    summary=None,
    next="a[rel~=prev], a.archiv-vorher, a.older",
    uncertain=(
        "A family of hand-built sites rather than one product: the date is in the link text "
        "or next to it, and 'next' walks to the previous month."
    ),
)

BRAIN_GEOCMS = Preset(
    name="brain-geocms",
    description="brain-GeoCMS (brain-SCC) module articlelist: ol.articlelist_listview > li",
    items="ol.articlelist_listview > li, ul.articlelist_listview > li",
    title=":is(h2, h3, h4) a, :is(h2, h3, h4)",
    link=":is(h2, h3, h4) a[href], a[href]",
    date="time[datetime], .articlelist_date, .date",
    summary="p",
    next="a[rel~=next], li.next a, a.next",
    signature="ol.articlelist_listview > li, ul.articlelist_listview > li",
    uncertain=(
        "After the module's list markup (articlelist_*) seen on Landkreis sites; date and "
        "teaser classes vary with the template, hence the fallbacks."
    ),
)

HIRSCH_WOELFL = Preset(
    name="hirsch-woelfl",
    description=(
        "Hirsch & Wölfl municipal news ('publish' module, on OpenText RedDot or TYPO3 "
        "komm_publishconnector): teaser lists with publish[id] links, often undated"
    ),
    items="div.aktuellTeaser > ul > li, [id^=dynamischeListe] li",
    title=".headline a, .aktuellbereichText a, .headline",
    link=".headline a[href], .aktuellbereichText a[href], a[href*='publish']",
    date=".date02, .date, .datum",
    summary=".newsText, .aktuellbereichText",
    listing_params=("publish[start]",),
    signature="div.aktuellTeaser > ul > li a[href*='publish'], [id^=dynamischeListe] li .newsText",
    uncertain=(
        "After the teaser markup of the vendor's municipal templates (teaserPicture, "
        "aktuellbereichText or newsText/headline/date02) and its publish[id] links; the "
        "listing shows no date on RedDot sites, so dates come from the detail pages; the "
        "pager is a POST form and cannot be followed."
    ),
)

GENERIC_ARTICLE = Preset(
    name="generic-article",
    description="Teaser cards (<article> with <time datetime>) or an old table with a date column",
    items="article:has(a[href]), tr:not(:has(tr)):has(a[href])",  # rows, not layout tables
    title=":is(h1, h2, h3, h4) a, :is(h1, h2, h3, h4), td a[href]",
    link=":is(h1, h2, h3, h4) a[href], td a[href], a[href]",
    date="time[datetime], td.date, td:first-child",
    summary="p",
    next=None,  # the heuristic: rel=next or a link labelled "nächste Seite"/"weiter"
)

_ALL = (
    IKISS,
    TYPO3_NEWS,
    WEBLICATION,
    NOLIS,
    ARCHIVE_BY_MONTH,
    BRAIN_GEOCMS,
    HIRSCH_WOELFL,
    GENERIC_ARTICLE,
)
PRESETS: dict[str, Preset] = {preset.name: preset for preset in _ALL}
