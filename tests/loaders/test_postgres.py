"""The archive's schema and write paths on a real PostgreSQL server (the shared-deployment store).

Runs when SITROOM_TEST_PG_URL names a database the tests may wipe (CI starts a local server
and sets it); skipped otherwise, since the embedded SQLite store is the default.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from loaders import db
from sitroom.records import Entry

PG_URL = os.environ.get("SITROOM_TEST_PG_URL", "")
pytestmark = pytest.mark.skipif(not PG_URL, reason="SITROOM_TEST_PG_URL not set (no PostgreSQL server to test on)")


@pytest.fixture
def pg_engine():
    engine = db.make_engine(PG_URL, migrate_schema=False)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    db.migrate(engine)
    yield engine
    engine.dispose()


def entry(n: int, title: str, day: int = 24) -> Entry:
    return Entry(
        uid=f"uid-{n}", url=f"https://example.org/{n}", title=title, summary="", guid=f"g{n}",
        published=dt.datetime(2022, 2, day, 9, tzinfo=dt.UTC), published_raw="", published_estimated=False,
        language="fr",
    )


def test_schema_write_extract_and_aggregate_on_postgres(pg_engine) -> None:
    from loaders.extract import daily_mentions_frame, extract_pending
    from loaders.store import ensure_feed, write_entries

    seen = dt.datetime(2022, 2, 24, 12, tzinfo=dt.UTC)
    with db.write_tx(pg_engine) as conn:
        assert db.schema_version(conn) == db.SCHEMA_VERSION
        feed_a = ensure_feed(conn, url="https://example.org/a.xml", name="A", language="fr")
        feed_b = ensure_feed(conn, url="https://example.org/b.xml", name="B", language="fr")
        first = write_entries(conn, feed_a, [entry(1, "Les chars russes entrent en Ukraine"),
                                             entry(2, "Pékin appelle au calme")], seen_at=seen)
        again = write_entries(conn, feed_b, [entry(1, "Les chars russes entrent en Ukraine")], seen_at=seen)
    assert first.n_new == 2 and again.n_new == 0

    assert extract_pending(pg_engine) == 2
    assert extract_pending(pg_engine) == 0
    daily = daily_mentions_frame(pg_engine)
    counts = dict(zip(daily["entity_id"], daily["n_articles"], strict=True))
    assert counts["country:UA"] == 1 and counts["country:RU"] == 1 and counts["country:CN"] == 1
    assert set(daily["n_read"]) == {2}
    with pg_engine.connect() as conn:
        sightings = conn.execute(select(db.sightings.c.article_id, db.sightings.c.feed_id)).all()
    assert sorted(sightings) == [(1, 1), (1, 2), (2, 1)]
