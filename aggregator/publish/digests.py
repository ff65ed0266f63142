"""An e-mail digest as people read it: the view of one period (items grouped by Land and
jobcenter, a joint release once with the jobcenters that published it, the sources that
fail), its text and HTML parts, and the MIME message. Pure: values in, message out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import quote, urlencode, urlsplit

from aggregator.config.schema import Config, Digest, Mail, Source
from aggregator.core.kinds import Health
from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.core.time import BERLIN
from aggregator.publish.dashboard import cards
from aggregator.publish.documents import (
    Line,
    item_line,
    oldest_first,
    source_name,
    templates,
    versions,
)
from aggregator.publish.health import SourceHealth
from aggregator.publish.periods import Period

# Items a message shows at most: a summary of a busy campaign stays a readable mail of
# well under a megabyte; the rest are counted and left to the feed.
SHOWN = 300


@dataclass(frozen=True)
class Jobcenter:
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Land:
    name: str
    jobcenters: tuple[Jobcenter, ...]


@dataclass(frozen=True)
class Joint:
    """A joint release: one text that several jobcenters published, shown once."""

    line: Line
    jobcenters: tuple[tuple[str, str], ...]  # (name, link to its version), in this digest
    total: int  # all that published it so far


@dataclass(frozen=True)
class DigestView:
    digest_id: str
    title: str
    period: Period
    lands: tuple[Land, ...]
    joint: tuple[Joint, ...]
    items: int
    jobcenters: int
    failing: tuple[str, ...]  # names of the sources whose fetching fails
    feed_url: str
    dashboard_url: str
    reply_to: str
    not_shown: int = 0  # the oldest items beyond SHOWN, counted but left to the feed

    @property
    def domain(self) -> str:
        """The service's host name, for the List-Id and the Message-IDs."""
        return host_of(self.dashboard_url)

    @property
    def subject(self) -> str:
        if self.period.summary:
            return (
                f"{self.title} – Abschluss: {_count(self.items, 'Meldung', 'Meldungen')} "
                f"von {_count(self.jobcenters, 'Jobcenter', 'Jobcentern')}"
            )
        new = _count(self.items, "neue Meldung", "neue Meldungen")
        return f"{self.title}: {new} – {self.period.label}"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def digest_title(digest: Digest, config: Config) -> str:
    """What the digest is about: its own title, else its campaign's or Land's name."""
    if digest.title:
        return digest.title
    if digest.campaign:
        return config.campaign(digest.campaign).title
    if digest.land:
        return f"Kommunale Jobcenter in {LAND_CODES[digest.land]}"
    return "Kommunale Jobcenter"


def feed_path(digest: Digest) -> str:
    """The feed below /feeds/ that holds the same items as the digest."""
    path = (
        f"campaigns/{digest.campaign}.atom"
        if digest.campaign
        else f"laender/{digest.land}.atom"
        if digest.land
        else "all.atom"
    )
    return path + (f"?{urlencode({'q': digest.q})}" if digest.q else "")


def _grouped(
    items: Sequence[StoredItem], sources: Mapping[str, Source]
) -> tuple[tuple[Land, ...], tuple[Joint, ...]]:
    """Items by Land and jobcenter; a group of which the digest holds several, once."""
    grouped = cards(oldest_first(items), limit=len(items))
    joint = [
        Joint(item_line(card.first), versions(card.members, sources), card.first.group_size)
        for card in sorted(grouped, key=lambda c: c.first.item.published, reverse=True)
        if len(card.members) > 1
    ]
    tree: dict[str, dict[str, list[StoredItem]]] = defaultdict(lambda: defaultdict(list))
    for card in grouped:
        if len(card.members) == 1:
            source = sources.get(card.first.item.source_id)
            land = LAND_CODES[source.land] if source else "ohne Land"
            tree[land][source_name(sources, card.first.item.source_id)].append(card.first)
    lands = tuple(
        Land(
            land,
            tuple(
                Jobcenter(
                    name,
                    tuple(
                        item_line(s)
                        for s in sorted(members, key=lambda s: s.item.published, reverse=True)
                    ),
                )
                for name, members in sorted(jobcenters.items())
            ),
        )
        for land, jobcenters in sorted(tree.items())
    )
    return lands, tuple(joint)


def digest_view(
    digest: Digest,
    config: Config,
    period: Period,
    items: Sequence[StoredItem],
    sources: Mapping[str, Source],
    health: Iterable[SourceHealth],
    base_url: str,
) -> DigestView:
    assert config.mail is not None  # a config with digests has mail
    newest = sorted(items, key=lambda s: (s.item.published, s.first_seen), reverse=True)
    lands, joint = _grouped(newest[:SHOWN], sources)
    broken = (row.source_id for row in health if row.last_status in (Health.ERROR, Health.GONE))
    failing = tuple(sorted(source_name(sources, source_id) for source_id in broken))
    reply_to = config.mail.reply_to or parseaddr(config.mail.sender)[1]
    return DigestView(
        digest.id,
        digest_title(digest, config),
        period,
        lands,
        joint,
        len(items),
        len({s.item.source_id for s in items}),
        failing,
        f"{base_url}/feeds/{feed_path(digest)}",
        f"{base_url}/",
        reply_to,
        max(0, len(items) - SHOWN),
    )


def render_text(view: DigestView) -> str:
    return templates().get_template("digest.txt").render(view=view)


def render_html(view: DigestView) -> str:
    template = templates().get_template("digest.html")
    return template.render(view=view)


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def message_id(digest_id: str, period: str, base_url: str) -> str:
    """A new Message-ID for one recipient's period; the store keeps it for the retries."""
    return make_msgid(f"{digest_id}.{period}", domain=host_of(base_url))


# Header lines up to RFC 5322's hard limit instead of folding at 78: Python's folder breaks
# before an encoded word ("–") and keeps the space before the break, so that a reader
# unfolding the subject saw two spaces there.
UNFOLDED = policy.default.clone(max_line_length=998)


def build_message(
    view: DigestView, mail: Mail, recipient: str, message_id: str, now: datetime
) -> EmailMessage:
    """The multipart message (text, then HTML) to one recipient."""
    message = EmailMessage(policy=UNFOLDED)
    message["Subject"] = view.subject
    message["From"] = mail.sender
    message["To"] = recipient
    message["Reply-To"] = view.reply_to
    message["Date"] = format_datetime(now.astimezone(BERLIN))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no autoreplies, please
    message["List-Id"] = f"{view.title} <{view.digest_id}.{view.domain}>"
    subject = quote(f"Abbestellen {view.digest_id}")
    message["List-Unsubscribe"] = f"<mailto:{view.reply_to}?subject={subject}>"
    message.set_content(render_text(view))
    message.add_alternative(render_html(view), subtype="html")
    return message
