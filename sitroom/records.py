"""Frozen records passed between the layers. Every datetime is timezone-aware UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription: where to poll, and how to label what comes back."""

    url: str
    name: str
    language: str = "en"  # ISO 639-1 of the feed's items ("fr", "en"); "" when mixed
    publisher: str = ""
    region: str = ""
    enabled: bool = True
    poll_minutes: int = 15


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item after normalisation: what the archive stores for an article.

    `uid` is stable across polls and feeds: the hash of the canonical URL when there is one,
    else of the feed URL and the item's guid (or title).
    """

    uid: str
    url: str  # canonical URL, tracking parameters removed; "" when the item had no link
    title: str  # plain text
    summary: str  # plain text
    published: dt.datetime  # UTC; first-seen time when the item had none, clamped if in the future
    published_raw: str  # the date string as the feed gave it ("" if none)
    published_estimated: bool  # True when `published` is not the item's own date
    language: str
    author: str = ""
    categories: tuple[str, ...] = ()
    guid: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in an article's title or summary."""

    entity_id: str
    entity_type: str  # country, company, weapon, weapon_class, organisation, person
    name: str  # canonical English display name
    iso2: str  # ISO 3166-1 alpha-2 for countries, "" otherwise
    alias: str  # the text as matched, in the original text
    start: int  # character offsets into the field's text
    end: int
    field: str  # "title" or "summary"
    match_kind: str  # name, official_name, demonym, capital, seat_of_power, code, alias


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one poll of one feed did; one per feed per run, failures included."""

    feed_url: str
    started: dt.datetime
    finished: dt.datetime
    status: int | None = None  # HTTP status, None when no response came back
    n_bytes: int = 0
    not_modified: bool = False
    n_new: int = 0
    n_updated: int = 0
    error_class: str = ""  # "" on success; timeout, connect, http_4xx, http_5xx, too_large, ...
    error: str = ""
    etag: str = ""
    last_modified: str = ""
    retry_after_s: float | None = None
    entries: tuple[Entry, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not self.error_class
