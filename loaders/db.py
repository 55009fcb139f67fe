"""The archive's schema, engine set-up and migrations (SQLAlchemy Core).

One schema for the embedded SQLite file and for PostgreSQL. SQLite runs in WAL mode so that
the dashboard's readers never block the poller, with a busy timeout so that two writers (the
dashboard's background poller and a separately started `ingest --every`) queue instead of
failing with "database is locked". Writers open their transaction with BEGIN IMMEDIATE
(`write_tx`) so that a read-then-write transaction never dead-ends on a lock upgrade.

Tables:
  meta            key/value: schema_version, gazetteer_version
  feeds           subscriptions and their polling state (ETag, Last-Modified, health)
  articles        one row per distinct article (canonical URL or feed+guid), primary feed
  sightings       every (article, feed) pair seen, with first/last seen times
  fetch_log       one row per poll of a feed: status, bytes, new/updated, error class
  entities        the gazetteer's entities, as last loaded (for names and alias search)
  mentions        every match: article, entity, field, alias, span, how it matched
  article_entities one row per (article, entity): the unit every count is made of
  entity_daily    per day x entity x language x feed: articles mentioning the entity
  article_daily   per day x language x feed: articles read (the denominator)
  articles_fts    SQLite FTS5 index over title and summary (SQLite only)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 2
DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "var" / "sitroom.sqlite"



class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in Python, naive UTC in the column (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Sitroom stores UTC-aware datetimes only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("language", String(8), nullable=False, default=""),
    Column("publisher", String(200), nullable=False, default=""),
    Column("region", String(100), nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("poll_minutes", Integer, nullable=False, default=15),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("etag", String(512), nullable=False, default=""),
    Column("last_modified", String(128), nullable=False, default=""),
    Column("last_fetch_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("last_error_at", UTCDateTime()),
    Column("last_error_class", String(40), nullable=False, default=""),
    Column("last_error", Text, nullable=False, default=""),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("error_counts", Text, nullable=False, default="{}"),  # JSON {error_class: count}
    Column("next_fetch_at", UTCDateTime()),  # back-off / Retry-After / poll interval
)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(40), nullable=False, unique=True),
    Column("url", String(2048), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
    Column("published_at", UTCDateTime(), nullable=False),
    Column("published_raw", String(200), nullable=False, default=""),
    Column("published_estimated", Boolean, nullable=False, default=False),
    Column("day", String(10), nullable=False),  # UTC 'YYYY-MM-DD' of published_at
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("language", String(8), nullable=False, default=""),
    Column("author", String(500), nullable=False, default=""),
    Column("categories", Text, nullable=False, default="[]"),  # JSON list
    Column("feed_id", Integer, ForeignKey("feeds.id"), nullable=False),  # first feed that carried it
    Column("extracted_version", String(40)),  # gazetteer version its mentions were made with
)
Index("ix_articles_day_lang", articles.c.day, articles.c.language)
Index("ix_articles_feed_day", articles.c.feed_id, articles.c.day)
Index("ix_articles_extracted", articles.c.extracted_version)
Index("ix_articles_url", articles.c.url)

sightings = Table(
    "sightings", metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id"), primary_key=True),
    Column("guid", String(2048), nullable=False, default=""),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
)
Index("ix_sightings_feed", sightings.c.feed_id)

fetch_log = Table(
    "fetch_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", Integer, ForeignKey("feeds.id"), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=False),
    Column("status", Integer),
    Column("bytes", Integer, nullable=False, default=0),
    Column("not_modified", Boolean, nullable=False, default=False),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_updated", Integer, nullable=False, default=0),
    Column("error_class", String(40), nullable=False, default=""),
    Column("error_message", Text, nullable=False, default=""),
)
Index("ix_fetch_log_feed_time", fetch_log.c.feed_id, fetch_log.c.started_at)
# v2: the Trends page shades the days where polls failed: a range scan on time alone.
ix_fetch_log_time = Index("ix_fetch_log_time", fetch_log.c.started_at)

entities = Table(
    "entities", metadata,
    Column("id", String(120), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("name_en", String(300), nullable=False),
    Column("name_fr", String(300), nullable=False, default=""),
    Column("iso2", String(2), nullable=False, default=""),
    Column("iso3", String(3), nullable=False, default=""),
    Column("country_iso2", String(2), nullable=False, default=""),  # home country of a company/weapon
    Column("parent_id", String(120), nullable=False, default=""),
    Column("aliases", Text, nullable=False, default="[]"),  # JSON list, for search in the dashboard
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("entity_id", String(120), nullable=False),
    Column("field", String(10), nullable=False),
    Column("alias", String(300), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("match_kind", String(20), nullable=False),
    Column("gazetteer_version", String(40), nullable=False),
)
Index("ix_mentions_article", mentions.c.article_id)
Index("ix_mentions_entity", mentions.c.entity_id)

article_entities = Table(
    "article_entities", metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("entity_id", String(120), primary_key=True),
    Column("day", String(10), nullable=False),
    Column("language", String(8), nullable=False),
    Column("feed_id", Integer, nullable=False),
    Column("n_hits", Integer, nullable=False),
    Column("via_seat_only", Boolean, nullable=False, default=False),  # only a capital/seat of power named it
    Column("gazetteer_version", String(40), nullable=False),
)
Index("ix_article_entities_entity_day", article_entities.c.entity_id, article_entities.c.day)
Index("ix_article_entities_day", article_entities.c.day)

entity_daily = Table(
    "entity_daily", metadata,
    Column("day", String(10), primary_key=True),
    Column("entity_id", String(120), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("feed_id", Integer, primary_key=True),
    Column("n_articles", Integer, nullable=False),  # articles mentioning the entity
    Column("n_direct", Integer, nullable=False),  # ... not only through a capital/seat of power
)
Index("ix_entity_daily_entity", entity_daily.c.entity_id, entity_daily.c.day)

article_daily = Table(
    "article_daily", metadata,
    Column("day", String(10), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("feed_id", Integer, primary_key=True),
    Column("n_articles", Integer, nullable=False),
)


def resolve_db_url(db: str | os.PathLike[str] | None = None) -> str:
    """A database URL from `--db`, `SITROOM_DB` or the default file: a path becomes a SQLite URL."""
    value = str(db) if db else os.environ.get("SITROOM_DB", "") or str(DEFAULT_DB_PATH)
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Take transaction control from pysqlite so that BEGIN is ours (SQLAlchemy's documented recipe).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("sitroom_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(db: str | os.PathLike[str] | None = None, *, migrate_schema: bool = True) -> Engine:
    """An engine on the archive, with the schema brought up to date."""
    url = resolve_db_url(db)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if migrate_schema:
        migrate(engine)
    return engine


@contextlib.contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it takes the write lock up front (BEGIN IMMEDIATE)."""
    with engine.connect().execution_options(sitroom_immediate=True) as conn, conn.begin():
        yield conn


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


# --- migrations ---------------------------------------------------------------------------

_FTS_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
    "title, summary, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title, summary ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); "
    "INSERT INTO articles_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
)


def _migration_1(conn: Connection) -> None:
    metadata.create_all(conn)
    if is_sqlite(conn):
        for statement in _FTS_SQL:
            conn.exec_driver_sql(statement)


def _migration_2(conn: Connection) -> None:
    ix_fetch_log_time.create(conn, checkfirst=True)


# Append new steps here; never edit a released one. Each runs in its own transaction.
# Version 1 creates from the current `metadata`, so later steps must tolerate what it made
# (`checkfirst=True`, `IF NOT EXISTS`).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _migration_1, 2: _migration_2}


def schema_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value else 0


def migrate(engine: Engine) -> int:
    """Apply every migration newer than the archive's version; return the resulting version."""
    with write_tx(engine) as conn:
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"archive schema version {current} is newer than this Sitroom ({SCHEMA_VERSION}): upgrade Sitroom"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](conn)
            set_meta(conn, "schema_version", str(version))
    return SCHEMA_VERSION


def get_meta(conn: Connection, key: str, default: str = "") -> str:
    value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    return default if value is None else str(value)


def set_meta(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(meta.insert().values(key=key, value=value))


# --- per-day aggregates -------------------------------------------------------------------

def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def refresh_daily(conn: Connection, days: Iterable[str] | None = None) -> None:
    """Recompute article_daily and entity_daily for `days` (every day when None).

    Aggregates are derived data: recomputing a day from articles and article_entities is
    idempotent, so a run killed halfway leaves at worst a stale day that the next run fixes.
    """
    if days is None:
        conn.execute(article_daily.delete())
        conn.execute(entity_daily.delete())
        conn.execute(text(
            "INSERT INTO article_daily (day, language, feed_id, n_articles) "
            "SELECT day, language, feed_id, COUNT(*) FROM articles GROUP BY day, language, feed_id"
        ))
        conn.execute(text(
            "INSERT INTO entity_daily (day, entity_id, language, feed_id, n_articles, n_direct) "
            "SELECT day, entity_id, language, feed_id, COUNT(*), "
            "SUM(CASE WHEN via_seat_only THEN 0 ELSE 1 END) "
            "FROM article_entities GROUP BY day, entity_id, language, feed_id"
        ))
        return
    for chunk in _chunks(sorted(set(days))):
        conn.execute(article_daily.delete().where(article_daily.c.day.in_(chunk)))
        conn.execute(entity_daily.delete().where(entity_daily.c.day.in_(chunk)))
        params = {f"d{i}": d for i, d in enumerate(chunk)}
        placeholders = ", ".join(f":d{i}" for i in range(len(chunk)))
        conn.execute(text(
            "INSERT INTO article_daily (day, language, feed_id, n_articles) "
            f"SELECT day, language, feed_id, COUNT(*) FROM articles WHERE day IN ({placeholders}) "
            "GROUP BY day, language, feed_id"
        ), params)
        conn.execute(text(
            "INSERT INTO entity_daily (day, entity_id, language, feed_id, n_articles, n_direct) "
            "SELECT day, entity_id, language, feed_id, COUNT(*), "
            "SUM(CASE WHEN via_seat_only THEN 0 ELSE 1 END) "
            f"FROM article_entities WHERE day IN ({placeholders}) "
            "GROUP BY day, entity_id, language, feed_id"
        ), params)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
