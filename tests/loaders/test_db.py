from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from loaders import db


def test_fresh_archive_is_migrated_and_in_wal_mode(engine) -> None:
    with engine.connect() as conn:
        assert db.schema_version(conn) == db.SCHEMA_VERSION
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("SELECT count(*) FROM articles_fts").scalar() == 0


def test_migrate_is_idempotent(engine) -> None:
    assert db.migrate(engine) == db.SCHEMA_VERSION
    assert db.migrate(engine) == db.SCHEMA_VERSION


def test_archive_newer_than_code_is_refused(engine) -> None:
    with db.write_tx(engine) as conn:
        db.set_meta(conn, "schema_version", str(db.SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="newer than this Sitroom"):
        db.migrate(engine)


def test_datetimes_round_trip_as_aware_utc(engine) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    when = dt.datetime(2022, 2, 24, 5, 0, tzinfo=paris)
    with db.write_tx(engine) as conn:
        conn.execute(db.feeds.insert().values(url="http://x/feed", name="x", added_at=when))
        back = conn.execute(select(db.feeds.c.added_at)).scalar_one()
    assert back == when and back.tzinfo == dt.UTC


def test_naive_datetimes_are_refused(engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.write_tx(engine) as conn:
        conn.execute(db.feeds.insert().values(url="http://x/feed", name="x", added_at=dt.datetime(2022, 1, 1)))


def test_refresh_daily_counts_each_article_once_per_entity(engine) -> None:
    now = dt.datetime(2022, 2, 24, 12, tzinfo=dt.UTC)
    with db.write_tx(engine) as conn:
        feed_id = conn.execute(db.feeds.insert().values(url="http://x/feed", name="x", added_at=now)).inserted_primary_key[0]
        for i, lang in enumerate(["fr", "fr", "en"]):
            conn.execute(db.articles.insert().values(
                uid=f"u{i}", url=f"http://x/{i}", title="t", summary="s", published_at=now, day="2022-02-24",
                first_seen_at=now, updated_at=now, language=lang, feed_id=feed_id,
            ))
        conn.execute(db.article_entities.insert(), [
            {"article_id": 1, "entity_id": "country:UA", "day": "2022-02-24", "language": "fr", "feed_id": feed_id,
             "n_hits": 3, "via_seat_only": False, "gazetteer_version": "v"},
            {"article_id": 2, "entity_id": "country:UA", "day": "2022-02-24", "language": "fr", "feed_id": feed_id,
             "n_hits": 1, "via_seat_only": True, "gazetteer_version": "v"},
        ])
        db.refresh_daily(conn, ["2022-02-24"])
        daily = conn.execute(select(db.entity_daily)).mappings().all()
        read = {r["language"]: r["n_articles"] for r in conn.execute(select(db.article_daily)).mappings()}
    assert [(r["entity_id"], r["language"], r["n_articles"], r["n_direct"]) for r in daily] == [("country:UA", "fr", 2, 1)]
    assert read == {"fr": 2, "en": 1}


def test_version_1_archive_is_upgraded_in_place(db_path) -> None:
    """An archive made by schema version 1 (no time index on fetch_log) gains it, data intact."""
    import sqlite3

    engine = db.make_engine(db_path)
    now = dt.datetime(2022, 2, 24, tzinfo=dt.UTC)
    with db.write_tx(engine) as conn:
        conn.execute(db.feeds.insert().values(url="http://x/feed", name="x", added_at=now))
        conn.exec_driver_sql("DROP INDEX ix_fetch_log_time")
        db.set_meta(conn, "schema_version", "1")
    engine.dispose()

    engine = db.make_engine(db_path)
    with engine.connect() as conn:
        assert db.schema_version(conn) == db.SCHEMA_VERSION
        assert conn.execute(select(db.feeds.c.url)).scalars().all() == ["http://x/feed"]
    engine.dispose()
    indexes = {row[1] for row in sqlite3.connect(db_path).execute("PRAGMA index_list(fetch_log)")}
    assert "ix_fetch_log_time" in indexes
