"""write_entries / ensure_feed / articles_frame on a real SQLite archive file."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from loaders.db import article_daily, articles, sightings, write_tx
from loaders.store import articles_frame, ensure_feed, write_entries
from sitroom import columns as C
from sitroom.normalize import article_uid
from sitroom.records import Entry

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def entry(n: int, *, title: str | None = None, summary: str = "", published: dt.datetime | None = None,
          url: str | None = None, language: str = "en") -> Entry:
    link = url if url is not None else f"https://news.example/story-{n}"
    return Entry(
        uid=article_uid(link, "https://news.example/rss", f"g{n}", title or f"Story {n}"),
        url=link,
        title=title if title is not None else f"Story {n}",
        summary=summary,
        published=published or T0 - dt.timedelta(hours=n),
        published_raw="",
        published_estimated=False,
        language=language,
        categories=("World",),
        guid=f"g{n}",
    )


@pytest.fixture
def feed_ids(engine: Engine) -> tuple[int, int]:
    with write_tx(engine) as conn:
        a = ensure_feed(conn, url="https://a.example/rss", name="Feed A", language="en", publisher="A")
        b = ensure_feed(conn, url="https://b.example/rss", name="Feed B", language="en")
    return a, b


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_ensure_feed_returns_the_same_id(engine: Engine, feed_ids: tuple[int, int]) -> None:
    with write_tx(engine) as conn:
        again = ensure_feed(conn, url="https://a.example/rss", name="renamed", language="fr")
    assert again == feed_ids[0] and feed_ids[0] != feed_ids[1]


def test_successive_writes_of_the_same_entries_store_nothing_new(engine: Engine, feed_ids: tuple[int, int]) -> None:
    batch = [entry(i) for i in range(5)] + [entry(0)]  # a duplicate inside one document too
    with write_tx(engine) as conn:
        first = write_entries(conn, feed_ids[0], batch, seen_at=T0)
    assert (first.n_new, first.n_updated, first.n_unchanged) == (5, 0, 0)
    assert len(first.new_article_ids) == 5
    with write_tx(engine) as conn:
        second = write_entries(conn, feed_ids[0], batch, seen_at=T0 + dt.timedelta(minutes=15))
    assert (second.n_new, second.n_updated, second.n_unchanged) == (0, 0, 5)
    assert second.new_article_ids == ()
    assert count(engine, articles) == 5 and count(engine, sightings) == 5
    with engine.connect() as conn:
        seen = conn.execute(select(sightings.c.first_seen_at, sightings.c.last_seen_at)).all()
    assert {row[0] for row in seen} == {T0} and {row[1] for row in seen} == {T0 + dt.timedelta(minutes=15)}


def test_same_url_in_two_feeds_is_one_article_with_two_sightings(engine: Engine, feed_ids: tuple[int, int]) -> None:
    with write_tx(engine) as conn:
        a = write_entries(conn, feed_ids[0], [entry(1)], seen_at=T0)
        b = write_entries(conn, feed_ids[1], [entry(1, summary="Feed B's own blurb")], seen_at=T0)
    assert (a.n_new, b.n_new, b.n_updated) == (1, 0, 0)  # only the primary feed rewrites text
    assert count(engine, articles) == 1 and count(engine, sightings) == 2
    frame = articles_frame(engine)
    assert frame.loc[0, C.FEEDS] == "Feed A; Feed B" and frame.loc[0, C.FEED_NAME] == "Feed A"


def test_changed_title_updates_and_resets_extraction(engine: Engine, feed_ids: tuple[int, int]) -> None:
    with write_tx(engine) as conn:
        write_entries(conn, feed_ids[0], [entry(1), entry(2)], seen_at=T0)
        conn.execute(articles.update().values(extracted_version="gaz-1"))
    later = T0 + dt.timedelta(hours=1)
    with write_tx(engine) as conn:
        result = write_entries(conn, feed_ids[0], [entry(1, title="Story 1, updated"), entry(2)], seen_at=later)
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        rows = {r.title: r for r in conn.execute(select(articles))}
    assert rows["Story 1, updated"].extracted_version is None
    assert rows["Story 1, updated"].updated_at == later and rows["Story 1, updated"].first_seen_at == T0
    assert rows["Story 2"].extracted_version == "gaz-1"
    # an older snapshot seen again (a re-run backfill) does not roll the title back
    with write_tx(engine) as conn:
        stale = write_entries(conn, feed_ids[0], [entry(1)], seen_at=T0)
    assert stale.n_updated == 0
    # an empty summary in a later poll never erases a stored one
    with write_tx(engine) as conn:
        write_entries(conn, feed_ids[0], [entry(3, summary="kept")], seen_at=later)
        emptied = write_entries(conn, feed_ids[0], [entry(3)], seen_at=later + dt.timedelta(hours=1))
    assert emptied.n_updated == 0


def test_days_are_aggregated_in_article_daily(engine: Engine, feed_ids: tuple[int, int]) -> None:
    d1 = dt.datetime(2022, 2, 24, 23, 30, tzinfo=dt.UTC)
    d2 = dt.datetime(2022, 2, 25, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # 2022-02-24 22:30 UTC
    d3 = dt.datetime(2022, 2, 25, 8, 0, tzinfo=dt.UTC)
    with write_tx(engine) as conn:
        result = write_entries(
            conn, feed_ids[0],
            [entry(1, published=d1), entry(2, published=d2), entry(3, published=d3, language="fr")],
            seen_at=T0,
        )
        write_entries(conn, feed_ids[1], [entry(4, published=d3)], seen_at=T0)
    assert result.days == frozenset({"2022-02-24", "2022-02-25"})
    with engine.connect() as conn:
        daily = {(r.day, r.language, r.feed_id): r.n_articles for r in conn.execute(select(article_daily))}
    assert daily == {
        ("2022-02-24", "en", feed_ids[0]): 2,
        ("2022-02-25", "fr", feed_ids[0]): 1,
        ("2022-02-25", "en", feed_ids[1]): 1,
    }


def test_bulk_write_of_many_entries(engine: Engine, feed_ids: tuple[int, int]) -> None:
    many = [entry(i, published=T0 - dt.timedelta(minutes=i)) for i in range(2500)]  # > one lookup chunk
    with write_tx(engine) as conn:
        first = write_entries(conn, feed_ids[0], many, seen_at=T0)
        second = write_entries(conn, feed_ids[0], many, seen_at=T0 + dt.timedelta(seconds=1))
    assert (first.n_new, second.n_new, second.n_unchanged) == (2500, 0, 2500)
    assert sorted(first.new_article_ids) == list(range(1, 2501))


def test_articles_frame_schema_and_filters(engine: Engine, feed_ids: tuple[int, int]) -> None:
    with write_tx(engine) as conn:
        write_entries(conn, feed_ids[0], [
            entry(1, published=dt.datetime(2022, 3, 1, 10, tzinfo=dt.UTC)),
            entry(2, published=dt.datetime(2022, 3, 2, 10, tzinfo=dt.UTC), language="fr"),
            entry(3, published=dt.datetime(2022, 3, 3, 10, tzinfo=dt.UTC)),
        ], seen_at=T0)
    frame = articles_frame(engine)
    assert list(frame.columns) == [*C.ARTICLE_COLUMNS, C.FEEDS]
    assert isinstance(frame[C.PUBLISHED].dtype, pd.DatetimeTZDtype) and str(frame[C.PUBLISHED].dt.tz) == "UTC"
    assert isinstance(frame[C.FIRST_SEEN].dtype, pd.DatetimeTZDtype)
    assert list(frame[C.TITLE]) == ["Story 3", "Story 2", "Story 1"]  # newest first
    assert frame.loc[0, C.CATEGORIES] == "World" and frame.loc[0, C.PUBLISHER] == "A"
    window = articles_frame(engine, start=dt.date(2022, 3, 2), end=dt.date(2022, 3, 2))
    assert list(window[C.TITLE]) == ["Story 2"]  # a date `end` includes that whole day
    assert list(articles_frame(engine, language="fr")[C.TITLE]) == ["Story 2"]
    assert articles_frame(engine, feed_ids=[feed_ids[1]]).empty
    assert len(articles_frame(engine, limit=2)) == 2
    assert articles_frame(engine, start="2030-01-01").columns.tolist() == [*C.ARTICLE_COLUMNS, C.FEEDS]


def test_write_snapshots_equals_writing_the_documents_one_by_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from loaders.db import make_engine
    from loaders.db import sightings as sightings_table
    from loaders.store import write_snapshots

    t1, t2, t3 = T0, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)
    documents = [
        (t1, [entry(1), entry(2), entry(1)]),
        (t2, [entry(1, title="Story 1, v2"), entry(3)]),
        (t3, [entry(1, title="Story 1, v2"), entry(2, summary="late blurb"), entry(4)]),
    ]

    def snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with engine.connect() as conn:
            arts = [tuple(r) for r in conn.execute(
                select(articles.c.uid, articles.c.title, articles.c.summary, articles.c.first_seen_at,
                       articles.c.updated_at).order_by(articles.c.uid))]
            sights = [tuple(r) for r in conn.execute(
                select(sightings_table.c.first_seen_at, sightings_table.c.last_seen_at).order_by(
                    sightings_table.c.first_seen_at, sightings_table.c.last_seen_at))]
        return arts, sights

    one_by_one, batched = make_engine(tmp_path / "a.sqlite"), make_engine(tmp_path / "b.sqlite")
    totals = []
    for eng in (one_by_one, batched):
        with write_tx(eng) as conn:
            fid = ensure_feed(conn, url="https://a.example/rss", name="A", language="en")
            if eng is one_by_one:
                results = [write_entries(conn, fid, es, seen_at=t) for t, es in documents]
                totals.append(tuple(sum(getattr(r, k) for r in results) for k in ("n_new", "n_updated", "n_unchanged")))
            else:
                r = write_snapshots(conn, fid, documents[::-1])  # order of the list does not matter
                totals.append((r.n_new, r.n_updated, r.n_unchanged))
    assert totals[0] == totals[1] == (4, 2, 1)
    assert snapshot(one_by_one) == snapshot(batched)
    one_by_one.dispose()
    batched.dispose()


def test_times_round_trip_exactly(engine: Engine, feed_ids: tuple[int, int]) -> None:
    """The bulk path writes SQLite text itself: what SQLAlchemy reads back must be the same instant."""
    published = dt.datetime(2022, 2, 25, 0, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    seen = dt.datetime(2024, 5, 1, 12, 0, 0, 999999, tzinfo=dt.UTC)
    with write_tx(engine) as conn:
        write_entries(conn, feed_ids[0], [entry(1, published=published)], seen_at=seen)
    with engine.connect() as conn:
        row = conn.execute(select(articles)).one()
        sighting = conn.execute(select(sightings)).one()
    assert row.published_at == published and row.published_at.tzinfo == dt.UTC
    assert row.first_seen_at == seen and row.updated_at == seen and row.day == "2022-02-24"
    assert sighting.first_seen_at == seen == sighting.last_seen_at
    assert row.published_estimated is False and row.categories == '["World"]'
