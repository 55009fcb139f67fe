"""The subscription list: the `feeds` table, the default list in data/feeds.csv, OPML in and out.

Decisions:
- A feed is identified by its URL exactly as given (stripped); a second `add` of the same URL is
  a `FeedListError`, not a silent no-op, so a typo'd re-add is visible.
- `remove_feed` never deletes history. Articles are the archive; each keeps `feed_id` as its
  source label, and the charts group by it. So a feed that already brought articles is
  unsubscribed in place (disabled, polling state cleared) and its row stays as the label; a feed
  that never brought anything is deleted with its fetch log. `feeds enable URL` re-subscribes.
- OPML import walks nested outlines at any depth; an outline is a feed when it has `xmlUrl`.
  The name is `title` or `text`; `language`, `publisher`, `region`, `enabled`, `pollMinutes`
  attributes are read when present; a feed inside a folder outline without a `region` gets the
  folder's text as region. Export writes OPML 2.0 with all of these, grouped in region folders,
  so that an export imports back to the same rows. Parsing uses defusedxml (no DTD entities).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import defusedxml.ElementTree as DET
import pandas as pd
from defusedxml import DefusedXmlException
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from loaders import db
from sitroom.language import language_code

DEFAULT_FEEDS_CSV = Path(__file__).resolve().parent.parent / "data" / "feeds.csv"
MAX_POLL_MINUTES = 7 * 24 * 60


class FeedListError(ValueError):
    """A subscription change that cannot be made (bad URL, duplicate, unknown feed, bad OPML)."""


@dataclass(frozen=True, slots=True)
class OpmlReport:
    added: list[str] = field(default_factory=list)  # URLs subscribed
    skipped_existing: list[str] = field(default_factory=list)  # URLs already in the list
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (xmlUrl or outline text, reason)


@dataclass(frozen=True, slots=True)
class RemoveResult:
    url: str
    deleted: bool  # True: the row is gone; False: kept (disabled) as the label of its articles
    n_articles: int


def validate_url(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FeedListError(f"not a valid URL: {url!r}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedListError(f"feed URL must be an absolute http(s) URL: {url!r}")
    if len(url) > 2048:
        raise FeedListError("feed URL longer than 2048 characters")
    if any(c.isspace() for c in url):
        raise FeedListError(f"feed URL contains whitespace: {url!r}")
    return url


def validate_language(language: str) -> str:
    """'' (mixed or unknown) or an ISO 639-1/-3 primary subtag; 'fr-FR' -> 'fr'."""
    language = (language or "").strip()
    if not language:
        return ""
    code = language_code(language)
    if not code:
        raise FeedListError(f"not a language code: {language!r} (use ISO 639-1 such as 'fr' or 'en')")
    return code


def _validate_poll(poll_minutes: int) -> int:
    try:
        value = int(poll_minutes)
    except (TypeError, ValueError) as exc:
        raise FeedListError(f"poll interval must be a whole number of minutes: {poll_minutes!r}") from exc
    if not 1 <= value <= MAX_POLL_MINUTES:
        raise FeedListError(f"poll interval must be between 1 and {MAX_POLL_MINUTES} minutes, got {value}")
    return value


def _feed_id(conn: Connection, url: str) -> int | None:
    value = conn.execute(select(db.feeds.c.id).where(db.feeds.c.url == url)).scalar()
    return None if value is None else int(value)


def _insert_feed(
    conn: Connection, url: str, *, name: str, language: str, publisher: str, region: str,
    enabled: bool, poll_minutes: int,
) -> int:
    url = validate_url(url)
    if _feed_id(conn, url) is not None:
        raise FeedListError(f"already subscribed: {url} (use `feeds enable` if it was disabled)")
    values = {
        "url": url,
        "name": (name or "").strip()[:300] or (urlsplit(url).hostname or url),
        "language": validate_language(language),
        "publisher": (publisher or "").strip()[:200],
        "region": (region or "").strip()[:100],
        "enabled": bool(enabled),
        "poll_minutes": _validate_poll(poll_minutes),
        "added_at": db.utcnow(),
    }
    key = conn.execute(db.feeds.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_feed(
    engine: Engine, url: str, *, name: str = "", language: str = "", publisher: str = "", region: str = "",
    enabled: bool = True, poll_minutes: int = 15,
) -> int:
    """Subscribe to a feed; its id. FeedListError on a bad URL/language or an existing URL."""
    with db.write_tx(engine) as conn:
        return _insert_feed(conn, url, name=name, language=language, publisher=publisher, region=region,
                            enabled=enabled, poll_minutes=poll_minutes)


def read_default_feeds(path: Path = DEFAULT_FEEDS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def ensure_default_feeds(engine: Engine, path: Path = DEFAULT_FEEDS_CSV) -> int:
    """Seed the list from data/feeds.csv when it holds no feed at all; how many were added."""
    rows = read_default_feeds(path)
    with db.write_tx(engine) as conn:
        if conn.execute(select(func.count()).select_from(db.feeds)).scalar():
            return 0
        added = 0
        for row in rows:
            if _feed_id(conn, row["url"].strip()) is not None:
                continue
            _insert_feed(conn, row["url"], name=row.get("name", ""), language=row.get("language", ""),
                         publisher=row.get("publisher", ""), region=row.get("region", ""),
                         enabled=True, poll_minutes=15)
            added += 1
        return added


def list_feeds(engine: Engine) -> pd.DataFrame:
    """Every feed with every column of the table (health included), ordered by name."""
    cols = list(db.feeds.c)
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(db.feeds.c.name, db.feeds.c.id)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in cols])


def _require(conn: Connection, url: str) -> int:
    feed_id = _feed_id(conn, url.strip())
    if feed_id is None:
        raise FeedListError(f"no such feed: {url}")
    return feed_id


def set_enabled(engine: Engine, url: str, enabled: bool) -> None:
    with db.write_tx(engine) as conn:
        feed_id = _require(conn, url)
        values: dict[str, object] = {"enabled": bool(enabled)}
        if enabled:
            values.update(next_fetch_at=None, consecutive_failures=0)  # due at once, back-off forgotten
        conn.execute(db.feeds.update().where(db.feeds.c.id == feed_id).values(**values))


def remove_feed(engine: Engine, url: str) -> RemoveResult:
    """Unsubscribe. Articles are history and stay; see the module docstring."""
    with db.write_tx(engine) as conn:
        feed_id = _require(conn, url)
        n_articles = int(conn.execute(
            select(func.count()).select_from(db.articles).where(db.articles.c.feed_id == feed_id)
        ).scalar() or 0)
        n_sightings = int(conn.execute(
            select(func.count()).select_from(db.sightings).where(db.sightings.c.feed_id == feed_id)
        ).scalar() or 0)
        if n_articles == 0 and n_sightings == 0:
            conn.execute(db.fetch_log.delete().where(db.fetch_log.c.feed_id == feed_id))
            conn.execute(db.feeds.delete().where(db.feeds.c.id == feed_id))
            return RemoveResult(url=url.strip(), deleted=True, n_articles=0)
        conn.execute(db.feeds.update().where(db.feeds.c.id == feed_id).values(
            enabled=False, etag="", last_modified="", next_fetch_at=None, consecutive_failures=0,
        ))
        return RemoveResult(url=url.strip(), deleted=False, n_articles=n_articles)


# --- OPML ---------------------------------------------------------------------------------

def _parse_bool(value: str | None, default: bool = True) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("false", "0", "no", "off")


def _walk(node: ET.Element, folder: str) -> list[tuple[ET.Element, str]]:
    found: list[tuple[ET.Element, str]] = []
    for child in node:
        if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] != "outline":
            continue
        if child.get("xmlUrl") is not None or child.get("xmlurl") is not None:
            found.append((child, folder))
        label = (child.get("text") or child.get("title") or "").strip()
        found.extend(_walk(child, label or folder))
    return found


def import_opml(engine: Engine, data: bytes) -> OpmlReport:
    """Subscribe to every feed of an OPML document; FeedListError when it is not OPML at all."""
    if not data or not data.strip():
        raise FeedListError("invalid OPML: the file is empty")
    try:
        root = DET.fromstring(data)
    except DefusedXmlException as exc:
        raise FeedListError(f"invalid OPML: refused unsafe XML ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise FeedListError(f"invalid OPML: not well-formed XML ({exc})") from exc
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise FeedListError(f"invalid OPML: the root element is <{root.tag}>, not <opml>")
    body = next((el for el in root if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "body"), None)
    if body is None:
        raise FeedListError("invalid OPML: no <body> element")
    added: list[str] = []
    existing: list[str] = []
    invalid: list[tuple[str, str]] = []
    seen: set[str] = set()
    with db.write_tx(engine) as conn:
        for outline, folder in _walk(body, ""):
            raw_url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            name = (outline.get("title") or outline.get("text") or "").strip()
            try:
                url = validate_url(raw_url)
                if url in seen or _feed_id(conn, url) is not None:
                    existing.append(url)
                    continue
                poll = outline.get("pollMinutes")
                _insert_feed(
                    conn, url, name=name, language=outline.get("language") or "",
                    publisher=outline.get("publisher") or "", region=outline.get("region") or folder,
                    enabled=_parse_bool(outline.get("enabled")), poll_minutes=int(poll) if poll and poll.strip().isdigit() else 15,
                )
            except FeedListError as exc:
                invalid.append((raw_url or name or "(outline without xmlUrl)", str(exc)))
                continue
            seen.add(url)
            added.append(url)
    return OpmlReport(added=added, skipped_existing=existing, invalid=invalid)


def export_opml(engine: Engine, *, title: str = "Sitroom subscriptions") -> bytes:
    """Every feed as OPML 2.0, grouped in one folder outline per region; imports back identically."""
    frame = list_feeds(engine)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(dt.datetime.now(dt.UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for row in frame.sort_values(["region", "name", "id"]).itertuples(index=False):
        region = str(row.region or "")
        parent = body
        if region:
            parent = folders.get(region) or folders.setdefault(region, ET.SubElement(body, "outline", text=region))
        attrs = {
            "type": "rss", "text": str(row.name), "title": str(row.name), "xmlUrl": str(row.url),
            "language": str(row.language or ""), "publisher": str(row.publisher or ""), "region": region,
            "enabled": "true" if bool(row.enabled) else "false", "pollMinutes": str(int(row.poll_minutes)),
        }
        ET.SubElement(parent, "outline", {k: v for k, v in attrs.items() if v != "" or k in ("text", "xmlUrl")})
    ET.indent(root)
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue() + b"\n"
