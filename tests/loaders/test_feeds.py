"""The subscription list: validation, removal keeps history, default list, OPML round trip."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from loaders import db
from loaders.feeds import (
    DEFAULT_FEEDS_CSV,
    FeedListError,
    add_feed,
    ensure_default_feeds,
    export_opml,
    import_opml,
    list_feeds,
    read_default_feeds,
    remove_feed,
    set_enabled,
)
from loaders.store import write_entries
from sitroom.records import Entry

ROUND_TRIP_COLUMNS = ["url", "name", "language", "publisher", "region", "enabled", "poll_minutes"]


def test_add_and_list(engine: Engine) -> None:
    fid = add_feed(engine, " https://example.test/world.xml ", name="World", language="fr-FR", publisher="Ex",
                   region="Europe", poll_minutes=30)
    frame = list_feeds(engine)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["id"] == fid and row["url"] == "https://example.test/world.xml" and row["language"] == "fr"
    assert (row["name"], row["publisher"], row["region"], row["poll_minutes"]) == ("World", "Ex", "Europe", 30)
    assert bool(row["enabled"]) and row["consecutive_failures"] == 0 and row["error_counts"] == "{}"
    for column in ("etag", "last_success_at", "last_error_class", "next_fetch_at"):
        assert column in frame.columns


def test_name_defaults_to_host(engine: Engine) -> None:
    add_feed(engine, "http://news.example.test/rss")
    assert list_feeds(engine).iloc[0]["name"] == "news.example.test"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://example.test/feed.xml"}, "http"),
        ({"url": "example.test/feed.xml"}, "http"),
        ({"url": "https://"}, "http"),
        ({"url": "javascript:alert(1)"}, "http"),
        ({"url": "https://example.test/a b"}, "whitespace"),
        ({"url": "https://example.test/x", "language": "French!"}, "language"),
        ({"url": "https://example.test/x", "poll_minutes": 0}, "poll interval"),
    ],
)
def test_add_rejects_bad_input(engine: Engine, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(FeedListError, match=message):
        add_feed(engine, **kwargs)
    assert list_feeds(engine).empty


def test_duplicate_is_a_clear_error(engine: Engine) -> None:
    add_feed(engine, "https://example.test/world.xml")
    with pytest.raises(FeedListError, match="already subscribed"):
        add_feed(engine, "https://example.test/world.xml", name="again")
    assert len(list_feeds(engine)) == 1


def test_enable_disable_and_unknown(engine: Engine) -> None:
    url = "https://example.test/world.xml"
    add_feed(engine, url)
    set_enabled(engine, url, False)
    assert not bool(list_feeds(engine).iloc[0]["enabled"])
    set_enabled(engine, url, True)
    assert bool(list_feeds(engine).iloc[0]["enabled"])
    with pytest.raises(FeedListError, match="no such feed"):
        set_enabled(engine, "https://example.test/other.xml", False)
    with pytest.raises(FeedListError, match="no such feed"):
        remove_feed(engine, "https://example.test/other.xml")


def _entry(uid: str) -> Entry:
    now = dt.datetime(2024, 1, 2, 10, tzinfo=dt.UTC)
    return Entry(uid=uid, url=f"https://example.test/a/{uid}", title=f"Title {uid}", summary="", published=now,
                 published_raw="", published_estimated=False, language="en", guid=uid)


def test_remove_keeps_articles_as_history(engine: Engine) -> None:
    empty, busy = "https://example.test/empty.xml", "https://example.test/busy.xml"
    add_feed(engine, empty)
    busy_id = add_feed(engine, busy)
    with db.write_tx(engine) as conn:
        write_entries(conn, busy_id, [_entry("a1"), _entry("a2")], seen_at=db.utcnow())

    gone = remove_feed(engine, empty)
    assert gone.deleted and gone.n_articles == 0
    kept = remove_feed(engine, busy)
    assert not kept.deleted and kept.n_articles == 2
    frame = list_feeds(engine)
    assert list(frame["url"]) == [busy] and not bool(frame.iloc[0]["enabled"])
    with engine.connect() as conn:
        assert conn.execute(select(db.articles.c.feed_id)).scalars().all() == [busy_id, busy_id]


def test_default_feed_list_is_valid_and_seeded_once(engine: Engine) -> None:
    rows = read_default_feeds()
    assert len(rows) >= 40
    assert len({r["url"] for r in rows}) == len(rows)
    assert {r["language"] for r in rows} == {"fr", "en"}
    with DEFAULT_FEEDS_CSV.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["name", "url", "language", "publisher", "region"]
    assert ensure_default_feeds(engine) == len(rows)
    assert ensure_default_feeds(engine) == 0
    frame = list_feeds(engine)
    assert len(frame) == len(rows) and frame["name"].str.len().min() > 0
    assert "https://www.lemonde.fr/international/rss_full.xml" in set(frame["url"])


def test_default_feeds_not_seeded_into_a_list_the_user_made(engine: Engine) -> None:
    add_feed(engine, "https://example.test/mine.xml")
    assert ensure_default_feeds(engine) == 0
    assert len(list_feeds(engine)) == 1


NESTED_OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Mine</title></head>
  <body>
    <outline text="Europe">
      <outline type="rss" text="Europe desk" xmlUrl="https://example.test/europe.xml" language="en-GB"/>
      <outline text="Nested folder">
        <outline type="rss" title="Deep feed" text="ignored text" xmlUrl="https://example.test/deep.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="Monde" xmlUrl="https://example.test/monde.xml" language="fr" region="World"/>
    <outline type="rss" text="Bad scheme" xmlUrl="ftp://example.test/x.xml"/>
    <outline type="rss" text="Bad language" xmlUrl="https://example.test/lang.xml" language="??"/>
    <outline type="rss" text="Twice" xmlUrl="https://example.test/monde.xml"/>
    <outline text="Just a folder"/>
  </body>
</opml>"""


def test_import_opml_nested_outlines(engine: Engine) -> None:
    add_feed(engine, "https://example.test/already.xml")
    report = import_opml(engine, NESTED_OPML.replace(b"<body>", b'<body><outline text="A" xmlUrl="https://example.test/already.xml"/>'))
    assert report.added == ["https://example.test/europe.xml", "https://example.test/deep.xml", "https://example.test/monde.xml"]
    assert report.skipped_existing == ["https://example.test/already.xml", "https://example.test/monde.xml"]
    assert [what for what, _ in report.invalid] == ["ftp://example.test/x.xml", "https://example.test/lang.xml"]
    assert all(why for _, why in report.invalid)
    rows = list_feeds(engine).set_index("url")
    assert rows.loc["https://example.test/europe.xml", "language"] == "en"
    assert rows.loc["https://example.test/europe.xml", "region"] == "Europe"  # folder name as region
    assert rows.loc["https://example.test/deep.xml", "name"] == "Deep feed"
    assert rows.loc["https://example.test/deep.xml", "region"] == "Nested folder"
    assert rows.loc["https://example.test/monde.xml", "region"] == "World"


def test_opml_round_trip(engine: Engine, tmp_path: Path) -> None:
    ensure_default_feeds(engine)
    add_feed(engine, "https://example.test/a?x=1&y=<2>", name='Quotes "and" <tags> & co', language="", region="")
    set_enabled(engine, "https://www.lemonde.fr/international/rss_full.xml", False)
    data = export_opml(engine)
    assert data.startswith(b"<?xml") and b'<opml version="2.0">' in data

    other = db.make_engine(tmp_path / "other.sqlite")
    report = import_opml(other, data)
    assert len(report.added) == len(list_feeds(engine)) and not report.invalid and not report.skipped_existing
    before = list_feeds(engine)[ROUND_TRIP_COLUMNS].sort_values("url").reset_index(drop=True)
    after = list_feeds(other)[ROUND_TRIP_COLUMNS].sort_values("url").reset_index(drop=True)
    assert before.equals(after)
    assert export_opml(other).split(b"<dateCreated>")[0] == data.split(b"<dateCreated>")[0]
    other.dispose()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not xml", "not well-formed"),
        (b"<html><body><p>hello</p></body></html>", "root element"),
        (b'<?xml version="1.0"?><opml version="2.0"><head/></opml>', "no <body>"),
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
         b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://example.test/x"/></body></opml>', "unsafe"),
        (b'<?xml version="1.0"?><opml version="2.0"><body><outline text="x"', "not well-formed"),
    ],
)
def test_invalid_opml_is_a_clear_error(engine: Engine, data: bytes, message: str) -> None:
    with pytest.raises(FeedListError, match=message):
        import_opml(engine, data)
    assert list_feeds(engine).empty
