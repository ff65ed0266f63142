"""The schema of sources.yaml: frozen pydantic models, so that the file's schema and the
runtime objects are one definition instead of two that drift apart. Pure: no I/O."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from aggregator.config.values import (
    Address,
    Ags,
    ClockTime,
    Delay,
    Duration,
    Field_,
    Kind,
    LandCode,
    Selector,
    Size,
    Slug,
    Url,
    Weekday,
    check_env_name,
    check_preset,
    check_public_url,
    check_sender,
)
from aggregator.core.model import AGS_LANDS, Timeouts


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageTarget(_Strict):
    """A press-release listing page and how to read it."""

    url: Url
    preset: Annotated[str | None, AfterValidator(check_preset)] = None
    items: Selector = None
    title: Selector = None
    link: Selector = None
    date: Selector = None
    summary: Selector = None
    next: Selector = None
    max_pages: int = Field(default=3, ge=1, le=50)
    follow: bool = False
    # a homepage read as the list: every block of press teasers in its main content
    all_teasers: bool = False


class Source(_Strict):
    """One participating jobcenter (or its press office)."""

    id: Slug
    name: str = Field(min_length=1)
    publisher: str | None = None
    land: LandCode
    kind: Kind
    homepage: Url | None = None
    feeds: tuple[Url, ...] = ()
    pages: tuple[PageTarget, ...] = ()
    interval: Duration | None = None
    timeout: Duration | None = None
    connect_timeout: Duration | None = None
    read_timeout: Duration | None = None
    enabled: bool = True
    ags: Ags = None
    aliases: tuple[str, ...] = ()
    also: Url | None = None
    # Press listings believed to exist (inferred, not seen): discovery reads them first.
    hints: tuple[Url, ...] = ()
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _ags_in_land(self) -> Source:
        if self.ags is not None and AGS_LANDS.get(self.ags[:2]) != self.land:
            raise ValueError(
                f"ags {self.ags!r} belongs to {AGS_LANDS.get(self.ags[:2], 'no Land')}, "
                f"not to {self.land}"
            )
        return self


class Press(_Strict):
    """A newspaper, broadcaster or news search (a search term in a feed URL) whose articles
    are read as coverage: never items of a jobcenter, in no jobcenter feed or figure."""

    id: Slug
    name: str = Field(min_length=1)
    laender: tuple[LandCode, ...] = ()  # where it reports; none: everywhere
    feeds: tuple[Url, ...] = ()
    pages: tuple[PageTarget, ...] = ()
    enabled: bool = True

    def as_source(self) -> Source:
        """The medium as the refresh reads a source (its Land a placeholder: coverage is
        in no Land's figures)."""
        return Source(
            id=self.id,
            name=self.name,
            land=self.laender[0] if self.laender else "BE",
            kind="region",
            feeds=self.feeds,
            pages=self.pages,
            enabled=self.enabled,
        )


class Window(_Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self


class MatchRules(_Strict):
    """`any`: event phrases, of which one must occur, and which need the window's days
    (in the text, or the publication date); `all`: each must occur; `none`: excluded."""

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    fields: tuple[Field_, ...] = ("title", "summary", "content")
    sources: tuple[Slug, ...] = ()


class Grace(_Strict):
    """Days before a window (announcements) and after it (reviews) that still count for a
    text with an event phrase only."""

    before: Delay = timedelta(0)
    after: Delay = timedelta(0)


class Phase(_Strict):
    """A named part of a standing campaign with a window of its own (an action week)."""

    id: Slug
    title: str = Field(min_length=1)
    window: Window
    names: tuple[str, ...] = ()  # phrases that name the phase: any date counts
    match: MatchRules | None = None  # its own event phrases; else the campaign's
    grace: Grace | None = None  # else the campaign's


class Campaign(_Strict):
    """A campaign of one window, or a standing one (`since`, no end) with phases.

    After loading, `Config.campaigns` lists every campaign followed by its phases, each
    phase as a Campaign of its own whose `phase_of` names the campaign: feeds, digests,
    reviews and exports take a phase's id as they take a campaign's."""

    id: Slug
    title: str = Field(min_length=1)
    window: Window | None = None
    since: date | None = None  # a standing campaign: from this day on, without an end
    names: tuple[str, ...] = ()  # phrases that name the campaign: any date counts
    match: MatchRules = MatchRules()
    grace: Grace = Grace()
    phases: tuple[Phase, ...] = ()
    phase_of: Slug | None = None  # set for a phase when the configuration is loaded
    campaign_names: tuple[str, ...] = ()  # a phase's: its campaign's names (set then too)

    @model_validator(mode="after")
    def _shape(self) -> Campaign:
        if (self.window is None) == (self.since is None):
            raise ValueError("a campaign has either a window or a start ('since'), not both")
        if self.phases and self.window is not None:
            raise ValueError("phases belong to a standing campaign: give 'since', not 'window'")
        if not (self.names or self.match.any or self.match.all):
            raise ValueError("a campaign needs phrases: under 'names', or 'any' or 'all'")
        return self

    @property
    def first_day(self) -> date:
        return self.window.start if self.window else (self.since or date.min)

    @property
    def last_day(self) -> date | None:
        """None: a standing campaign, still running."""
        return self.window.end if self.window else None

    @property
    def period(self) -> str:
        """When it runs, as coordinators read it: '26.08.2019 – 30.08.2019', 'seit …'."""
        if self.last_day is None:
            return f"seit {self.first_day:%d.%m.%Y}"
        return f"{self.first_day:%d.%m.%Y} – {self.last_day:%d.%m.%Y}"

    def flattened(self) -> list[Campaign]:
        """The campaign and its phases, each a Campaign: a phase takes the campaign's
        event phrases unless it has its own, and the campaign's exclusions. A text that
        names the campaign joins the phase whose days it is of (campaign_names)."""
        found = [self]
        for phase in self.phases:
            own = phase.match or MatchRules()
            rules = MatchRules(
                any=own.any or self.match.any,
                all=own.all or self.match.all,
                none=self.match.none + own.none,
                fields=self.match.fields,
                sources=own.sources or self.match.sources,
            )
            found.append(
                Campaign(
                    id=phase.id,
                    title=phase.title,
                    window=phase.window,
                    names=phase.names,
                    match=rules,
                    grace=phase.grace or self.grace,
                    phase_of=self.id,
                    campaign_names=self.names,
                )
            )
        return found


class Mail(_Strict):
    """The SMTP server that digests go out through. The password is never in the file:
    `password_env` names the environment variable that holds it."""

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)  # none: 465 for tls, else 587/25
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password_env: Annotated[str | None, AfterValidator(check_env_name)] = None
    sender: Annotated[str, AfterValidator(check_sender)]
    reply_to: Address | None = None  # where "abbestellen" goes; default: the sender
    ca_file: str | None = None  # a CA bundle, for a server with a certificate of its own CA
    timeout: Duration = timedelta(seconds=30)
    retry: Duration = timedelta(minutes=1)  # after a failure; doubles up to an hour

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: object) -> object:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "the SMTP password never goes into sources.yaml: remove 'password' and "
                "name the environment variable that holds it (password_env: SMTP_PASSWORD)"
            )
        return data

    @property
    def effective_port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587, "none": 25}[self.security]


class Digest(_Strict):
    """A subscription by e-mail: which items, to whom, when."""

    id: Slug
    title: str | None = None  # the subject's name for it; default: the feed's title
    to: tuple[Address, ...] = Field(min_length=1)
    campaign: Slug | None = None
    land: LandCode | None = None
    q: str | None = Field(default=None, min_length=1, max_length=200)
    # daily at `at`; weekly on `day` at `at`; during-campaign: daily within the
    # campaign's window and a summary of the whole campaign the day after it ends
    schedule: Literal["daily", "weekly", "during-campaign"] = "daily"
    at: ClockTime = time(8, 0)  # Europe/Berlin
    day: Weekday = "monday"
    send_empty: bool = False

    @model_validator(mode="after")
    def _campaign_for_during(self) -> Digest:
        if self.schedule == "during-campaign" and self.campaign is None:
            raise ValueError("schedule 'during-campaign' needs 'campaign: ID'")
        return self


class WebSub(_Strict):
    """The service as the WebSub hub of its own feeds (W3C WebSub)."""

    enabled: bool = True
    # callbacks on loopback or private networks let anyone on the internet make the
    # service send requests inside its network; only for a hub inside one (and tests)
    allow_private_callbacks: bool = False
    max_subscriptions: int = Field(default=1000, ge=1, le=100_000)
    lease: Duration = timedelta(days=5)  # when the subscriber asks for none
    max_lease: Duration = timedelta(days=30)
    retry: Duration = timedelta(seconds=30)  # a failed delivery, doubling up to an hour


class Defaults(_Strict):
    interval: Duration = timedelta(minutes=30)
    timeout: Duration = timedelta(seconds=20)  # the whole request, body included
    connect_timeout: Duration = timedelta(seconds=10)
    read_timeout: Duration = timedelta(seconds=15)  # between two chunks of the answer
    max_body: Size = 10 * 1024 * 1024
    max_redirects: int = Field(default=5, ge=0, le=20)
    # requests at once in all: measured at 100, 1,000 and 10,000 offices (bench.process);
    # 64 is where the cold cycle stops waiting on latency and memory stays < 300 MB
    concurrency: int = Field(default=64, ge=1, le=512)
    per_host: int = Field(default=2, ge=1, le=16)
    host_delay: Delay = timedelta(seconds=1)  # between two requests to one host
    max_backoff: Duration = timedelta(hours=24)
    # processes that parse and normalise beside the event loop; none: one less than the
    # cores; 0: parse in the event loop's own process
    workers: int | None = Field(default=None, ge=0, le=64)
    contact: Url = "https://github.com/jobcenter-aggregator/jobcenter-aggregator"


class Config(_Strict):
    version: Literal[1]
    # Where coordinators reach the service (behind a proxy: its public address). Links in
    # digests, static feed files and the review point there; `aggregator digest --send`
    # needs it (or --base-url), or its links would lead to this machine.
    public_url: Annotated[str | None, AfterValidator(check_public_url)] = None
    # public: anyone reads feeds, dashboard, review and exports (only editors change
    # anything); private: pages need a login, feed readers a personal token in the URL
    access: Literal["public", "private"] = "public"
    defaults: Defaults = Defaults()
    campaigns: tuple[Campaign, ...] = ()
    sources: tuple[Source, ...] = ()
    press: tuple[Press, ...] = ()  # media read for the campaign's echo (coverage)
    mail: Mail | None = None  # the loader requires it when there are digests
    websub: WebSub = WebSub()
    digests: tuple[Digest, ...] = ()

    @model_validator(mode="after")
    def _phases_as_campaigns(self) -> Config:
        """Every phase becomes a campaign of its own, right after its campaign (the model
        is frozen: the flattened tuple is put in place once, here, at validation)."""
        if any(c.phases for c in self.campaigns) and all(
            c.phase_of is None for c in self.campaigns
        ):
            flat = tuple(each for c in self.campaigns for each in c.flattened())
            ids = [c.id for c in flat]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"campaign and phase ids must differ: {', '.join(twice)}")
            object.__setattr__(self, "campaigns", flat)
        return self

    @property
    def declared_campaigns(self) -> tuple[Campaign, ...]:
        """The campaigns as sources.yaml lists them, without their phases."""
        return tuple(c for c in self.campaigns if c.phase_of is None)

    @property
    def refreshed(self) -> tuple[Source, ...]:
        """Everything a refresh cycle reads: the sources, then the press as sources."""
        return self.sources + tuple(p.as_source() for p in self.press)

    def is_press(self, source_id: str) -> bool:
        return any(p.id == source_id for p in self.press)

    def campaign(self, campaign_id: str) -> Campaign:
        for campaign in self.campaigns:
            if campaign.id == campaign_id:
                return campaign
        raise KeyError(campaign_id)

    def digest(self, digest_id: str) -> Digest:
        for digest in self.digests:
            if digest.id == digest_id:
                return digest
        raise KeyError(digest_id)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def interval(self, source: Source) -> timedelta:
        return source.interval or self.defaults.interval

    def timeouts(self, source: Source) -> Timeouts:
        defaults = self.defaults
        return Timeouts(
            total=(source.timeout or defaults.timeout).total_seconds(),
            connect=(source.connect_timeout or defaults.connect_timeout).total_seconds(),
            read=(source.read_timeout or defaults.read_timeout).total_seconds(),
        )
