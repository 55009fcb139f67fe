"""Feed items to archive records: canonical URLs, plain text, UTC dates, stable ids.

Pure functions: every item of every feed and of the whole backfill goes through them, so
they avoid per-call set-up (regexes compiled once, fast exits for text without markup).

Decisions (see docs/design/ingestion-data.md):
- `plain_text` strips tags first, then decodes entities exactly once. The feed parser has
  already decoded the XML layer, so a title whose XML said `&amp;lt;b&amp;gt;` arrives here as
  `&lt;b&gt;` and leaves as the literal text `<b>`, which the UI escapes. Decoding to a fixed
  point would turn text that talks about markup into markup and then delete it.
- `canonical_url` keeps the query string's original encoding (it sorts and filters the raw
  `key=value` parts), so applying it twice changes nothing.
- `parse_date` never returns a date in the future: beyond `now + FUTURE_TOLERANCE` it is
  clamped to `now` and flagged as estimated.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import functools
import hashlib
import html
import re
import time
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from sitroom.language import detect_language, language_code
from sitroom.records import Entry

FUTURE_TOLERANCE = dt.timedelta(hours=1)
OLDEST_PLAUSIBLE = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 20_000
MAX_RAW_DATE_CHARS = 200  # articles.published_raw is String(200)

# --- URLs ----------------------------------------------------------------------------------

_TRACKING_KEYS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "xtor", "xtref", "_ga", "_gl", "ocid", "smid", "cmp", "s_cid",
        "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "mkt_tok",
        "oly_enc_id", "oly_anon_id", "vero_id", "__twitter_impression", "spm", "rss", "feedtype",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")
# `ref` is a real parameter on some sites; drop it only when its value names a channel.
_TRACKING_REF = re.compile(r"(?:rss|feed|atom|newsletter|email|share|social|twitter|facebook|fb|tw)", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(part: str) -> bool:
    key, _, value = part.partition("=")
    key = unquote_plus(key).strip().lower()
    if key in _TRACKING_KEYS or key.startswith(_TRACKING_PREFIXES):
        return True
    return key in ("ref", "ref_src", "referrer", "source") and bool(_TRACKING_REF.match(unquote_plus(value)))


def canonical_url(url: str) -> str:
    """The item's link without tracking noise; "" for anything that is not an absolute http(s) URL.

    `&amp;` left in a link (an escaping done twice by the publisher) is read as `&`.
    """
    url = url.strip()
    while "&amp;" in url:
        url = url.replace("&amp;", "&")
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        return ""
    netloc = parts.netloc.lower()
    host, sep, port = netloc.rpartition(":")
    if sep and "]" not in port and port.isdigit() and int(port) == _DEFAULT_PORTS[scheme]:
        netloc = host
    netloc = netloc.rstrip(".") if not netloc.endswith("]") else netloc
    if not netloc:
        return ""
    kept = sorted(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))


# --- text ----------------------------------------------------------------------------------

_DROP_BLOCKS = re.compile(
    r"<(script|style|iframe|noscript|object|embed|template|svg)\b[^<>]*>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<!(?!\[CDATA\[)[^<>]*>", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
_INLINE = (
    "a|abbr|b|bdi|bdo|cite|code|data|dfn|em|font|i|kbd|mark|q|s|samp|small|span|strike|"
    "strong|sub|sup|time|tt|u|var|wbr|ins|del|nobr"
)
# A tag: `<name ...>` or `</name>`; quoted attribute values may hold `>`. No part of a tag may
# hold `<`: that keeps every match attempt within the text up to the next `<`, so hostile
# input (thousands of unclosed `<a href="`) costs linear time, not quadratic (tested).
_TAG_BODY = r"""[^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*"""
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b{_TAG_BODY}>", re.IGNORECASE)
_ANY_TAG = re.compile(rf"</?[A-Za-z][A-Za-z0-9:-]*(?:[\s/]{_TAG_BODY})?>")
_CUT_TAG = re.compile(r"</?(?:a|img|p|div|span|br|b|i|em|strong|font|figure|source|video|picture)\b[^<>]*\Z", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\ufffe\uffff]")
# C1 controls in feed text are nearly always Windows-1252 bytes decoded as Latin-1: map them
# the way HTML5 (and feedparser) does, dropping the five that cp1252 leaves undefined.
_C1 = re.compile(r"[\x80-\x9f]")
_C1_TABLE = {c: (bytes([c]).decode("cp1252", "ignore") or None) for c in range(0x80, 0xA0)}
_SPACE = re.compile(r"\s+")


def plain_text(html_or_text: str) -> str:
    """Text without tags, entities decoded once, whitespace folded, NFC, no control characters."""
    s = html_or_text
    if not s:
        return ""
    if "<" in s:
        s = _DROP_BLOCKS.sub(" ", s)
        s = _COMMENT.sub(" ", s)
        if "<![" in s:
            s = _CDATA.sub(r"\1", s)
        s = _INLINE_TAG.sub("", s)
        s = _ANY_TAG.sub(" ", s)
        s = _CUT_TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    s = _CONTROL.sub("", s)
    if _C1.search(s):
        s = s.translate(_C1_TABLE)
    s = _SPACE.sub(" ", s).strip()
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return s


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- dates ---------------------------------------------------------------------------------

_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TZ_NAMES = {"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000", "CET": "+0100", "CEST": "+0200"}


@functools.lru_cache(maxsize=1 << 16)  # successive snapshots repeat the same date strings
def _parse_date_string(raw: str) -> dt.datetime | None:
    s = raw.strip()
    if not s:
        return None
    if _ISO_LIKE.match(s):
        iso = s.replace(" ", "T", 1) if len(s) > 10 and s[10] == " " else s
        try:
            value = dt.datetime.fromisoformat(iso)
        except ValueError:
            value = None
        if value is not None:
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    head, _, zone = s.rpartition(" ")
    if head and zone.upper() in _TZ_NAMES:  # zone names email.utils would read as "no zone"
        s = f"{head} {_TZ_NAMES[zone.upper()]}"
    try:
        value = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_date(
    raw: str | time.struct_time | dt.datetime | None,
    *,
    now: dt.datetime,
    fallback: dt.datetime | None = None,
) -> tuple[dt.datetime, bool]:
    """(UTC-aware datetime, estimated).

    A date that is missing or unparseable becomes `fallback` (the first-seen time, or a
    backfilled file's capture time; `now` when not given), estimated. A date later than
    `now + FUTURE_TOLERANCE` is clamped to `now`, estimated. A struct_time is read as UTC
    (feedparser's `*_parsed` fields are), a naive datetime or zone-less string as UTC.
    """
    now = now.astimezone(dt.UTC)
    value: dt.datetime | None
    if raw is None:
        value = None
    elif isinstance(raw, dt.datetime):
        value = raw if raw.tzinfo else raw.replace(tzinfo=dt.UTC)
    elif isinstance(raw, time.struct_time):
        try:
            value = dt.datetime.fromtimestamp(calendar.timegm(raw), dt.UTC)
        except (OverflowError, ValueError, OSError):
            value = None
    else:
        value = _parse_date_string(str(raw))
    if value is not None:
        try:
            value = value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            value = None
    if value is None or value < OLDEST_PLAUSIBLE:
        return (fallback or now).astimezone(dt.UTC), True
    if value > now + FUTURE_TOLERANCE:
        return now, True
    return value, False


def parseable_date(raw: str) -> bool:
    """Whether `parse_date` reads this string itself (the fast parser falls back to feedparser otherwise)."""
    value = _parse_date_string(raw)
    return value is not None


# --- ids and entries -----------------------------------------------------------------------

def article_uid(canonical_url: str, feed_url: str, guid: str, title: str) -> str:
    """A stable 40-hex id: sha1 of the canonical URL; else of feed URL + guid; else feed URL + title."""
    if canonical_url:
        key = canonical_url
    elif guid.strip():
        key = f"guid\x00{feed_url}\x00{guid.strip()}"
    else:
        key = f"title\x00{feed_url}\x00{title}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get("value") or "")
    return str(value)


def _summary_source(entry: Mapping[str, Any]) -> str:
    summary = _text_of(entry.get("summary"))
    if summary.strip():
        return summary
    content = entry.get("content") or ()
    for part in content:
        text = _text_of(part)
        if text.strip():
            return text
    return ""


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in entry.get("tags") or ():
        term = plain_text(_text_of(tag.get("term") if isinstance(tag, Mapping) else tag))
        if term and len(term) <= 200:
            seen.setdefault(term, None)
    return tuple(seen)


def normalize_entry(
    entry: Mapping[str, Any],
    *,
    feed_url: str,
    language: str,
    fetched_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Entry:
    """An archive record from a feedparser-like item mapping.

    Keys read: title, link, id, summary, content[].value, published/updated (raw strings) and
    published_parsed/updated_parsed (struct_time, used only when the string is unreadable),
    author, tags[].term. `language` is the feed's language ("" = detect from the text).
    `fetched_at` stands in for a missing date; `now` (default `fetched_at`) caps future dates.
    """
    title = _clip(plain_text(_text_of(entry.get("title"))), MAX_TITLE_CHARS)
    summary = _clip(plain_text(_summary_source(entry)), MAX_SUMMARY_CHARS)
    url = canonical_url(_text_of(entry.get("link")))
    guid = _text_of(entry.get("id")).strip()
    raw_date = ""
    parsed: dt.datetime | time.struct_time | None = None
    for key in ("published", "updated", "created"):
        raw_date = _text_of(entry.get(key)).strip()
        if raw_date:
            parsed = _parse_date_string(raw_date) or entry.get(f"{key}_parsed")
            break
    published, estimated = parse_date(parsed, now=now or fetched_at, fallback=fetched_at)
    lang = language_code(language) or detect_language(f"{title} {summary[:600]}")
    return Entry(
        uid=article_uid(url, feed_url, guid, title),
        url=url,
        title=title,
        summary=summary,
        published=published,
        published_raw=raw_date[:MAX_RAW_DATE_CHARS],
        published_estimated=estimated,
        language=lang,
        author=_clip(plain_text(_text_of(entry.get("author"))), 500),
        categories=_categories(entry),
        guid=guid[:2048],
    )
