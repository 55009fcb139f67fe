"""Entity extraction over the archive: mentions, article_entities and the daily aggregates.

`extract_pending(engine)` brings every article up to the current gazetteer version:
articles whose `extracted_version` is NULL or older are matched in batches, walked in
(day, id) order with keyset pagination (an index range scan on `day`, and a batch covers few
days); each batch's old rows are deleted and new ones inserted, the articles marked, and the
batch's days re-aggregated (`refresh_daily`), all in one `write_tx` transaction. A run killed
halfway therefore leaves whole batches done and the rest stale, and the next run resumes;
re-running is a no-op (idempotent). Matching happens outside the transaction so that the
write lock is held only for the writes. `all_articles=True` walks every article without first
rewriting every row's version (a killed `--all` simply starts again).

Time goes (measured by `bench/bench_extract.py`): matching first, then the SQLite inserts; on
SQLite the inserts go through the DB-API `executemany` directly (one C loop), elsewhere
through SQLAlchemy Core.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select, text
from sqlalchemy.engine import Connection

from loaders.db import (
    article_entities,
    articles,
    entities,
    get_meta,
    is_sqlite,
    mentions,
    refresh_daily,
    set_meta,
    write_tx,
)
from loaders.gazetteer_files import read_gazetteer
from sitroom import columns as C
from sitroom.gazetteer import SEAT_KINDS, Gazetteer
from sitroom.matching import Matcher
from sitroom.records import Mention

META_KEY = "gazetteer_version"


def load_matcher(data_dir: Any = None, user_file: Any = None) -> Matcher:
    """The matcher for the current gazetteer files (data/gazetteer + the user file)."""
    g = read_gazetteer(data_dir, user_file) if data_dir is not None else read_gazetteer(user_file=user_file)
    return Matcher.from_gazetteer(g)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: int
    title: str
    summary: str
    day: str
    language: str
    feed_id: int


def article_rows(
    article: ArticleRow, found: Sequence[Mention], version: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(mentions rows, article_entities rows) for one article's mentions.

    mentions: (article_id, entity_id, field, alias, start, end, match_kind, version)
    article_entities: (article_id, entity_id, day, language, feed_id, n_hits, via_seat_only, version)
    """
    m_rows = [
        (article.id, m.entity_id, m.field, m.alias[:300], m.start, m.end, m.match_kind, version) for m in found
    ]
    hits: dict[str, list[int]] = {}
    for m in found:
        h = hits.setdefault(m.entity_id, [0, 1])
        h[0] += 1
        if m.match_kind not in SEAT_KINDS:
            h[1] = 0
    ae_rows = [
        (article.id, eid, article.day, article.language, article.feed_id, n, bool(seat_only), version)
        for eid, (n, seat_only) in hits.items()
    ]
    return m_rows, ae_rows


def sync_entities(conn: Connection, gazetteer: Gazetteer) -> None:
    """Replace the `entities` table with the gazetteer's entities (names and aliases for search)."""
    conn.execute(entities.delete())
    rows = [
        {
            "id": e.id,
            "type": e.type,
            "name_en": e.name_en[:300],
            "name_fr": e.name_fr[:300],
            "iso2": e.iso2[:2],
            "iso3": e.iso3[:3],
            "country_iso2": e.country_iso2[:2],
            "parent_id": e.parent_id,
            "aliases": json.dumps(sorted({a.text for a in e.aliases}), ensure_ascii=False),
        }
        for e in gazetteer.entities
    ]
    if rows:
        conn.execute(entities.insert(), rows)


def _stale_condition(version: str) -> Any:
    return or_(articles.c.extracted_version.is_(None), articles.c.extracted_version != version)


def count_stale(engine: Engine, version: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(articles).where(_stale_condition(version))).scalar() or 0)


_M_COLS = ("article_id", "entity_id", "field", "alias", "start", "end", "match_kind", "gazetteer_version")
_AE_COLS = ("article_id", "entity_id", "day", "language", "feed_id", "n_hits", "via_seat_only", "gazetteer_version")


def _insert(conn: Connection, table: Any, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if is_sqlite(conn):
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", rows)
    else:
        conn.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows])


def _delete_for(conn: Connection, ids: list[int]) -> None:
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start : chunk_start + 900]
        conn.execute(mentions.delete().where(mentions.c.article_id.in_(chunk)))
        conn.execute(article_entities.delete().where(article_entities.c.article_id.in_(chunk)))


def write_batch(conn: Connection, batch: list[ArticleRow], results: list[list[Mention]], version: str) -> None:
    """Replace the batch's mentions and article_entities, mark the articles, refresh their days."""
    ids = [a.id for a in batch]
    m_all: list[tuple[Any, ...]] = []
    ae_all: list[tuple[Any, ...]] = []
    for article, found in zip(batch, results, strict=True):
        m_rows, ae_rows = article_rows(article, found, version)
        m_all.extend(m_rows)
        ae_all.extend(ae_rows)
    _delete_for(conn, ids)
    _insert(conn, mentions, _M_COLS, m_all)
    _insert(conn, article_entities, _AE_COLS, ae_all)
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start : chunk_start + 900]
        conn.execute(articles.update().where(articles.c.id.in_(chunk)).values(extracted_version=version))
    refresh_daily(conn, {a.day for a in batch})


def extract_pending(
    engine: Engine,
    *,
    matcher: Matcher | None = None,
    progress: bool = False,
    batch: int = 5000,
    all_articles: bool = False,
) -> int:
    """Extract every article not yet extracted with the current gazetteer; return how many.

    `all_articles` re-extracts everything (forget versions). Idempotent and resumable.
    """
    matcher = matcher or load_matcher()
    version = matcher.version
    gazetteer = matcher.gazetteer
    with write_tx(engine) as conn:
        synced = get_meta(conn, META_KEY) == version and conn.execute(
            select(func.count()).select_from(entities)).scalar()
        if not synced and gazetteer is not None:
            sync_entities(conn, gazetteer)
            set_meta(conn, META_KEY, version)
    if all_articles:  # walk every article (no full-table UPDATE first); a killed --all restarts
        with engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)
        todo = None
    else:
        total = count_stale(engine, version)
        todo = _stale_condition(version)
    if not total:
        return 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="article", desc="extract", file=None)
    done = 0
    last_day, last_id = "", 0
    try:
        while True:
            # Keyset pagination in (day, id) order: a batch covers few days, so refreshing the
            # days it touched (inside its own transaction) stays cheap.
            # Written as a range on day (an index range scan) minus the rows already done that day.
            after = and_(articles.c.day >= last_day,
                         or_(articles.c.day != last_day, articles.c.id > last_id))
            with engine.connect() as conn:
                rows = conn.execute(
                    select(articles.c.id, articles.c.title, articles.c.summary, articles.c.day,
                           articles.c.language, articles.c.feed_id)
                    .where(after if todo is None else and_(after, todo))
                    .order_by(articles.c.day, articles.c.id)
                    .limit(batch)
                ).all()
            if not rows:
                break
            chunk = [ArticleRow(r[0], r[1] or "", r[2] or "", r[3], r[4] or "", r[5]) for r in rows]
            results = [matcher.find_mentions(a.title, a.summary, a.language or None) for a in chunk]
            with write_tx(engine) as conn:
                write_batch(conn, chunk, results, version)
            last_day, last_id = chunk[-1].day, chunk[-1].id
            done += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return done


def _day_text(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date().isoformat() if value.tzinfo else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


DAILY_MENTIONS_SQL = """
WITH e AS (
    SELECT day, entity_id, language, SUM(n_articles) AS n_articles
    FROM entity_daily WHERE day >= :start AND day <= :end
    GROUP BY day, entity_id, language
), a AS (
    SELECT day, language, SUM(n_articles) AS n_read
    FROM article_daily WHERE day >= :start AND day <= :end
    GROUP BY day, language
)
SELECT e.day, e.entity_id, ent.type, ent.name_en, ent.iso2, e.language, e.n_articles, a.n_read
FROM e
JOIN a ON a.day = e.day AND a.language = e.language
LEFT JOIN entities ent ON ent.id = e.entity_id
ORDER BY e.day, e.entity_id, e.language
"""

_TYPE_OF_PREFIX = {"org": "organisation"}


def daily_mentions_frame(
    engine: Engine, *, start: dt.date | str | None = None, end: dt.date | str | None = None
) -> pd.DataFrame:
    """Per day x entity x language: articles mentioning the entity and articles read.

    Columns `sitroom.columns.DAILY_MENTION_COLUMNS`; `day` is the UTC day (datetime64 at
    midnight); `n_read` counts every article of that day and language (the denominator).
    """
    params = {"start": _day_text(start) or "0000-00-00", "end": _day_text(end) or "9999-99-99"}
    with engine.connect() as conn:
        rows = conn.execute(text(DAILY_MENTIONS_SQL), params).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[C.DAY, C.ENTITY_ID, C.ENTITY_TYPE, C.NAME, C.ISO2, C.LANG, C.N_ARTICLES, C.N_READ],
    )
    if frame.empty:
        frame[C.DAY] = pd.to_datetime(frame[C.DAY])
        return frame.astype({C.N_ARTICLES: "int64", C.N_READ: "int64"})[list(C.DAILY_MENTION_COLUMNS)]
    missing_type = frame[C.ENTITY_TYPE].isna()
    if missing_type.any():  # an entity no longer in the gazetteer: type from its id, name = id
        prefixes = frame.loc[missing_type, C.ENTITY_ID].str.split(":").str[0]
        frame.loc[missing_type, C.ENTITY_TYPE] = prefixes.map(lambda p: _TYPE_OF_PREFIX.get(p, p))
        frame.loc[missing_type, C.NAME] = frame.loc[missing_type, C.ENTITY_ID]
    frame[C.ISO2] = frame[C.ISO2].fillna("")
    frame[C.DAY] = pd.to_datetime(frame[C.DAY], format="%Y-%m-%d")
    frame = frame.astype({C.N_ARTICLES: "int64", C.N_READ: "int64"})
    return frame[list(C.DAILY_MENTION_COLUMNS)]


def mentions_for(matcher: Matcher, items: Iterable[tuple[str, str, str | None]]) -> list[list[Mention]]:
    """Mentions for (title, summary, lang) items: the pure part, for benchmarks and the CLI."""
    return [matcher.find_mentions(t, s, lang) for t, s, lang in items]
