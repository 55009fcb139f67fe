"""Writing entries into the archive and reading articles back out (SQLAlchemy Core).

`write_entries` is the one way articles enter the archive, for the poller and the backfill
alike. It works in bulk: one `IN` lookup per 500 uids, `executemany` inserts and updates, one
upsert statement for the sightings. Portable SQL, except the sightings upsert, which uses the
dialect's `ON CONFLICT` on SQLite and PostgreSQL (and a select-then-write elsewhere).

Rules (see docs/design/ingestion-data.md):
- an article is its `uid`: the same item polled again, or carried by another feed under the
  same canonical URL, is one article; every (article, feed) pair is a sighting;
- only the article's primary feed (`articles.feed_id`, the first to carry it) may rewrite its
  title or summary, and only from a sighting newer than the last rewrite (`seen_at >
  updated_at`: re-importing old snapshots never rolls an article back), so two feeds with different blurbs for one URL do not flip-flop it; an
  empty new value never overwrites a non-empty one; a rewrite resets `extracted_version`;
- `article_daily` is refreshed for the days of the articles written or changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from loaders.db import articles, feeds, refresh_daily, sightings, utcnow
from sitroom import columns as C
from sitroom.records import Entry

_LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one `write_entries` call did."""

    n_new: int
    n_updated: int
    n_unchanged: int
    new_article_ids: tuple[int, ...]
    days: frozenset[str]  # UTC days ('YYYY-MM-DD') whose aggregates were refreshed

    @property
    def n_written(self) -> int:
        return self.n_new + self.n_updated + self.n_unchanged


def day_of(moment: dt.datetime) -> str:
    """The UTC calendar day of an aware datetime, as stored in `articles.day`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d")


def ensure_feed(
    conn: Connection, *, url: str, name: str, language: str, publisher: str = "", region: str = ""
) -> int:
    """The id of the feed with this URL, inserting it if missing (an existing row is left as is).

    A feed whose URL is not http(s) (a backfilled folder with no feed URL of its own, named
    `backfill:<folder>`) is an archive-only source: it is created disabled, since polling it
    could only fail.
    """
    found = conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(
        feeds.insert().values(
            url=url, name=name[:300] or url[:300], language=language[:8], publisher=publisher[:200],
            region=region[:100], added_at=utcnow(), enabled=url.startswith(("http://", "https://")),
        )
    )
    key = result.inserted_primary_key
    if key is not None and key[0] is not None:
        return int(key[0])
    return int(conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one())


_Existing = tuple[int, str, str, int, str, dt.datetime]


def _existing(conn: Connection, uids: Sequence[str]) -> dict[str, _Existing]:
    """uid -> (id, title, summary, feed_id, day, updated_at) for the uids already archived."""
    found: dict[str, _Existing] = {}
    query = select(
        articles.c.uid, articles.c.id, articles.c.title, articles.c.summary, articles.c.feed_id, articles.c.day,
        articles.c.updated_at,
    ).where(articles.c.uid.in_(bindparam("uids", expanding=True)))
    for i in range(0, len(uids), _LOOKUP_CHUNK):
        for row in conn.execute(query, {"uids": list(uids[i : i + _LOOKUP_CHUNK])}):
            found[row.uid] = (row.id, row.title, row.summary, row.feed_id, row.day, row.updated_at)
    return found


def _ids_of(conn: Connection, uids: Sequence[str]) -> dict[str, int]:
    return {uid: values[0] for uid, values in _existing(conn, uids).items()}


def _article_row(entry: Entry, feed_id: int, seen_at: dt.datetime) -> dict[str, object]:
    return {
        "uid": entry.uid,
        "url": entry.url[:2048],
        "title": entry.title,
        "summary": entry.summary,
        "published_at": entry.published,
        "published_raw": entry.published_raw[:200],
        "published_estimated": entry.published_estimated,
        "day": day_of(entry.published),
        "first_seen_at": seen_at,
        "updated_at": seen_at,
        "language": entry.language[:8],
        "author": entry.author[:500],
        "categories": json.dumps(list(entry.categories), ensure_ascii=False) if entry.categories else "[]",
        "feed_id": feed_id,
        "extracted_version": None,
    }


# SQLite takes the bulk rows straight through the DB-API: SQLAlchemy's per-value bind
# processing (two type layers per datetime) was half of the backfill's write time. The text
# format is exactly what SQLAlchemy's SQLite DATETIME stores and reads back.
_ARTICLE_COLUMNS = (
    "uid", "url", "title", "summary", "published_at", "published_raw", "published_estimated", "day",
    "first_seen_at", "updated_at", "language", "author", "categories", "feed_id", "extracted_version",
)
_SQLITE_INSERT_ARTICLES = (
    f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))}) "
    "ON CONFLICT (uid) DO NOTHING"
)
_SQLITE_UPSERT_SIGHTINGS = (
    "INSERT INTO sightings (article_id, feed_id, guid, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)"
)


def _sqlite_time(moment: dt.datetime) -> str:
    if moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _sqlite_article(row: dict[str, object], times: dict[dt.datetime, str]) -> tuple[object, ...]:
    """The insert tuple; `times` memoises the text of repeated datetimes (a snapshot's seen_at)."""
    values = []
    for column in _ARTICLE_COLUMNS:
        value = row[column]
        if isinstance(value, dt.datetime):
            text_value = times.get(value)
            if text_value is None:
                text_value = times[value] = _sqlite_time(value)
            value = text_value
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return tuple(values)


def _insert_articles(conn: Connection, rows: list[dict[str, object]]) -> dict[str, int]:
    """Insert new articles; uid -> id of the rows this call inserted (a concurrent writer's are skipped)."""
    if not rows:
        return {}
    name = conn.dialect.name
    if name == "sqlite":
        # Inside a write transaction nobody else inserts, so this call's rows are those above
        # the largest id before it (rowids only grow): one query instead of one per row.
        before = conn.execute(select(func.max(articles.c.id))).scalar() or 0
        times: dict[dt.datetime, str] = {}
        conn.exec_driver_sql(_SQLITE_INSERT_ARTICLES, [_sqlite_article(row, times) for row in rows])
        inserted = conn.exec_driver_sql("SELECT uid, id FROM articles WHERE id > ?", (before,))
        return {str(uid): int(article_id) for uid, article_id in inserted}
    if name == "postgresql":
        stmt = postgresql.insert(articles).on_conflict_do_nothing(index_elements=["uid"])
        result = conn.execute(stmt.returning(articles.c.uid, articles.c.id), rows)
        return {str(uid): int(article_id) for uid, article_id in result}
    conn.execute(articles.insert(), rows)
    return _ids_of(conn, [str(row["uid"]) for row in rows])


def _upsert_sightings(conn: Connection, rows: list[dict[str, object]]) -> None:
    """Insert (article, feed) sightings; an existing one keeps first_seen_at and gets the later last_seen_at."""
    if not rows:
        return
    name = conn.dialect.name
    if name == "sqlite":
        times: dict[object, str] = {}

        def text_of(moment: object) -> str:
            if moment not in times:
                times[moment] = _sqlite_time(moment)  # type: ignore[arg-type]
            return times[moment]

        conn.exec_driver_sql(
            _SQLITE_UPSERT_SIGHTINGS,
            [(r["article_id"], r["feed_id"], r["guid"], text_of(r["first_seen_at"]), text_of(r["last_seen_at"]))
             for r in rows],
        )
        return
    if name == "postgresql":
        stmt = postgresql.insert(sightings)
        stmt = stmt.on_conflict_do_update(
            index_elements=["article_id", "feed_id"],
            set_={"last_seen_at": func.greatest(sightings.c.last_seen_at, stmt.excluded.last_seen_at)},
        )
        conn.execute(stmt, rows)
        return
    for row in rows:  # portable fallback for other databases
        changed = conn.execute(
            sightings.update()
            .where(and_(sightings.c.article_id == row["article_id"], sightings.c.feed_id == row["feed_id"]))
            .values(last_seen_at=row["last_seen_at"])
        ).rowcount
        if not changed:
            conn.execute(sightings.insert().values(**row))


def write_entries(
    conn: Connection,
    feed_id: int,
    entries: Iterable[Entry],
    *,
    seen_at: dt.datetime,
    refresh: bool = True,
) -> WriteResult:
    """Store one feed's entries: new articles, changed titles/summaries, sightings, day totals.

    Idempotent: writing the same entries again stores nothing new (only `last_seen_at` moves).
    Runs inside the caller's transaction (use `loaders.db.write_tx`). `refresh=False` leaves
    the per-day aggregates to the caller.
    """
    return write_snapshots(conn, feed_id, [(seen_at, entries)], refresh=refresh)


@dataclass(slots=True)
class _State:
    """One article while a batch of snapshots is folded into it."""

    article_id: int | None  # None: new in this batch
    title: str
    summary: str
    primary_feed: int
    day: str
    updated_at: dt.datetime
    first_seen: dt.datetime  # of this feed's sighting, within this batch
    last_seen: dt.datetime
    guid: str
    row: dict[str, object] | None = None  # the insert row of a new article
    dirty: bool = False  # an existing article whose text changed


def write_snapshots(
    conn: Connection,
    feed_id: int,
    snapshots: Sequence[tuple[dt.datetime, Iterable[Entry]]],
    *,
    refresh: bool = True,
) -> WriteResult:
    """`write_entries` for several successive documents of one feed at once, each with its time.

    Same result as writing them one by one in time order, with a handful of statements in
    all instead of a handful per document: the backfill writes hundreds of files per call.
    """
    ordered = sorted(((seen, list(entries)) for seen, entries in snapshots), key=lambda s: s[0])
    uids = list(dict.fromkeys(e.uid for _, entries in ordered for e in entries))
    if not uids:
        return WriteResult(0, 0, 0, (), frozenset())
    existing = _existing(conn, uids)
    states: dict[str, _State] = {}
    n_updated = n_unchanged = 0
    for seen_at, entries in ordered:
        in_this_document: set[str] = set()
        for entry in entries:
            uid = entry.uid
            if uid in in_this_document:
                continue  # within one document the first occurrence wins
            in_this_document.add(uid)
            state = states.get(uid)
            if state is None:
                if uid in existing:
                    article_id, title, summary, primary, day, updated_at = existing[uid]
                    state = _State(article_id, title, summary, primary, day, updated_at, seen_at, seen_at,
                                   entry.guid)
                    states[uid] = state
                else:
                    row = _article_row(entry, feed_id, seen_at)
                    states[uid] = _State(None, entry.title, entry.summary, feed_id, str(row["day"]), seen_at,
                                         seen_at, seen_at, entry.guid, row=row)
                    continue
            state.last_seen = max(state.last_seen, seen_at)
            title = entry.title or state.title
            summary = entry.summary or state.summary
            if (title != state.title or summary != state.summary) and state.primary_feed == feed_id and (
                seen_at > state.updated_at
            ):
                state.title, state.summary, state.updated_at = title, summary, seen_at
                if state.row is not None:
                    state.row.update(title=title, summary=summary, updated_at=seen_at)
                else:
                    state.dirty = True
                n_updated += 1
            else:
                n_unchanged += 1

    new_rows = [s.row for s in states.values() if s.row is not None]
    new_ids = _insert_articles(conn, new_rows)
    updates = [
        {"b_id": s.article_id, "b_title": s.title, "b_summary": s.summary, "b_at": s.updated_at}
        for s in states.values()
        if s.dirty
    ]
    if updates:
        conn.execute(
            update(articles)
            .where(articles.c.id == bindparam("b_id"))
            .values(
                title=bindparam("b_title"), summary=bindparam("b_summary"), updated_at=bindparam("b_at"),
                extracted_version=None,
            ),
            updates,
        )
    ids = {uid: s.article_id for uid, s in states.items() if s.article_id is not None}
    ids.update(new_ids)
    missing = [uid for uid, s in states.items() if s.row is not None and uid not in new_ids]
    if missing:  # inserted meanwhile by another writer: a sighting still, not new here
        ids.update(_ids_of(conn, missing))
        n_unchanged += len(missing)
    _upsert_sightings(
        conn,
        [
            {"article_id": ids[uid], "feed_id": feed_id, "guid": s.guid[:2048], "first_seen_at": s.first_seen,
             "last_seen_at": s.last_seen}
            for uid, s in states.items()
            if uid in ids
        ],
    )
    days = {s.day for uid, s in states.items() if (s.row is not None and uid in new_ids) or s.dirty}
    if refresh and days:
        refresh_daily(conn, days)
    new_uids = [uid for uid, s in states.items() if s.row is not None and uid in new_ids]
    return WriteResult(
        n_new=len(new_uids),
        n_updated=n_updated,
        n_unchanged=n_unchanged,
        new_article_ids=tuple(new_ids[uid] for uid in new_uids),
        days=frozenset(days),
    )


# --- reading -------------------------------------------------------------------------------

def _as_utc(moment: dt.datetime | dt.date | str, *, end: bool) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment) if "T" in moment or " " in moment else dt.date.fromisoformat(moment)
    if isinstance(moment, dt.datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    start = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    return start + dt.timedelta(days=1) if end else start


def articles_frame(
    engine: Engine | Connection,
    *,
    start: dt.datetime | dt.date | str | None = None,
    end: dt.datetime | dt.date | str | None = None,
    language: str | None = None,
    feed_ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Articles as a frame with `sitroom.columns.ARTICLE_COLUMNS` plus `feeds`, newest first.

    `start` is inclusive, `end` exclusive; a date (or 'YYYY-MM-DD') means the whole UTC day,
    so `end=date(2022, 3, 1)` includes March 1st. `feeds` joins with "; " the names of every
    feed that carried the article (its sightings); `categories` is "; "-joined too.
    """
    primary = feeds.alias("primary_feed")
    query = (
        select(
            articles.c.id.label(C.ARTICLE_ID), articles.c.uid.label(C.UID), articles.c.url.label(C.URL),
            articles.c.title.label(C.TITLE), articles.c.summary.label(C.SUMMARY),
            articles.c.published_at.label(C.PUBLISHED), articles.c.published_raw.label(C.PUBLISHED_RAW),
            articles.c.first_seen_at.label(C.FIRST_SEEN), articles.c.language.label(C.LANG),
            articles.c.author.label(C.AUTHOR), articles.c.categories.label(C.CATEGORIES),
            articles.c.feed_id.label(C.FEED_ID), primary.c.name.label(C.FEED_NAME),
            primary.c.publisher.label(C.PUBLISHER),
        )
        .join_from(articles, primary, articles.c.feed_id == primary.c.id)
        .order_by(articles.c.published_at.desc(), articles.c.id.desc())
    )
    if start is not None:
        query = query.where(articles.c.published_at >= _as_utc(start, end=False))
    if end is not None:
        query = query.where(articles.c.published_at < _as_utc(end, end=True))
    if language:
        query = query.where(articles.c.language == language)
    if feed_ids is not None:
        query = query.where(articles.c.feed_id.in_(list(feed_ids)))
    if limit is not None:
        query = query.limit(limit)

    def run(conn: Connection) -> tuple[list[tuple[object, ...]], list[tuple[int, str]]]:
        rows = [tuple(r) for r in conn.execute(query)]
        carried = select(sightings.c.article_id, feeds.c.name).join_from(
            sightings, feeds, sightings.c.feed_id == feeds.c.id
        )
        ids = query.with_only_columns(articles.c.id).order_by(None).subquery()
        carried = carried.where(sightings.c.article_id.in_(select(ids.c.id))).order_by(
            sightings.c.article_id, sightings.c.first_seen_at, feeds.c.name
        )
        return rows, [(int(r[0]), str(r[1])) for r in conn.execute(carried)]

    if isinstance(engine, Connection):
        rows, carried_by = run(engine)
    else:
        with engine.connect() as conn:
            rows, carried_by = run(conn)

    frame = pd.DataFrame(rows, columns=list(C.ARTICLE_COLUMNS))
    names: dict[int, list[str]] = {}
    for article_id, name in carried_by:
        names.setdefault(article_id, []).append(name)
    frame[C.FEEDS] = [ "; ".join(names.get(int(i), [])) for i in frame[C.ARTICLE_ID] ]
    for col in (C.PUBLISHED, C.FIRST_SEEN):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame[C.CATEGORIES] = ["; ".join(json.loads(v or "[]")) for v in frame[C.CATEGORIES]]
    frame[C.ARTICLE_ID] = frame[C.ARTICLE_ID].astype("int64")
    frame[C.FEED_ID] = frame[C.FEED_ID].astype("int64")
    return frame
