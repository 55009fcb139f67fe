"""ingest_once against a real loopback server and a real SQLite archive.

One run over good feeds and every fault: each failure is recorded against its own feed (fetch
log and feeds row, with its class and reason) while the good feeds of the same run are stored;
a second run loses and duplicates nothing and gets 304s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from loaders import db
from loaders.feeds import FeedListError, add_feed, set_enabled
from loaders.ingest import DueFeed, backoff_delay, ingest_every, ingest_once, interleave_by_host, select_feeds
from sitroom.records import FetchResult
from sitroom.settings import Settings
from tests.conftest import ROOT
from tests.loaders.faultserver import FaultServer, world_feed

SETTINGS = Settings(fetch_timeout_s=0.5, fetch_workers=4, run_deadline_s=30, max_feed_bytes=100_000)

GOOD = {"/feed/world.xml": 3, "/feed/europe.xml": 2, "/feed/fr.xml": 1, "/gzip.xml": 3,
        "/nolink.xml": 1, "/hostile.xml": 1, "/latin1.xml": 1}
FAULTS = {
    "/slow.xml?s=3": "timeout",
    "/status/404.xml": "http_4xx",
    "/status/500.xml": "http_5xx",
    "/status/429.xml?retry=3600": "http_4xx",
    "/loop.xml": "redirects",
    "/html.xml": "not_a_feed",
    "/bomb.xml": "entity_bomb",
    "/empty.xml": "empty",
    "/huge.xml?mb=50": "too_large",
}


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/feed.xml"


def closed_port_url_of(faults: dict[str, str]) -> str:
    return next(url for url, error_class in faults.items() if error_class == "connect")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def feed_row(engine: Engine, url: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(db.feeds).where(db.feeds.c.url == url)).one()


def log_rows(engine: Engine, url: str) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        fid = conn.execute(select(db.feeds.c.id).where(db.feeds.c.url == url)).scalar_one()
        return list(conn.execute(select(db.fetch_log).where(db.fetch_log.c.feed_id == fid).order_by(db.fetch_log.c.id)))


def subscribe_all(engine: Engine, server: FaultServer) -> tuple[dict[str, int], dict[str, str]]:
    good = {server.url(p): n for p, n in GOOD.items()}
    faults = {server.url(p): c for p, c in FAULTS.items()}
    faults[closed_port_url()] = "connect"
    for url in [*good, *faults]:
        add_feed(engine, url)
    return good, faults


def test_one_run_stores_good_feeds_and_records_every_fault(engine: Engine, server: FaultServer) -> None:
    good, faults = subscribe_all(engine, server)
    seen: list[tuple[str, int, int]] = []
    report = ingest_once(engine, settings=SETTINGS, on_result=lambda r, done, total: seen.append((r.feed_url, done, total)))

    by_url = {r.feed_url: r for r in report.results}
    assert set(by_url) == set(good) | set(faults)
    assert [d for _, d, _ in seen] == list(range(1, len(by_url) + 1)) and {t for *_, t in seen} == {len(by_url)}
    for url, n in good.items():
        assert by_url[url].ok, (url, by_url[url].error)
        assert by_url[url].n_new == n, url
    for url, error_class in faults.items():
        result = by_url[url]
        assert result.error_class == error_class, (url, result.error_class, result.error)
        assert result.error, f"no reason recorded for {url}"
        row = feed_row(engine, url)
        assert row.last_error_class == error_class and row.last_error == result.error
        assert row.consecutive_failures == 1 and row.last_success_at is None
        assert json.loads(row.error_counts) == {error_class: 1}
        [entry] = log_rows(engine, url)
        assert entry.error_class == error_class and entry.error_message == result.error
    assert report.n_failed == len(faults) and report.n_ok == len(good)
    assert report.failures_by_class["http_4xx"] == 2
    assert report.n_new == sum(good.values()) == count(engine, db.articles)

    # every poll has exactly one fetch_log row, good ones carry status and bytes
    assert count(engine, db.fetch_log) == len(by_url)
    [world_log] = log_rows(engine, server.url("/feed/world.xml"))
    assert world_log.status == 200 and world_log.bytes == len(server.feeds["world"]) and world_log.n_new == 3
    assert log_rows(engine, server.url("/status/500.xml"))[0].status == 500
    assert log_rows(engine, server.url("/huge.xml?mb=50"))[0].status == 200  # the answer came, too big
    assert log_rows(engine, server.url("/loop.xml"))[0].status == 302
    assert log_rows(engine, closed_port_url_of(faults))[0].status is None  # no answer at all


def test_hostile_and_linkless_items_are_stored_safely(engine: Engine, server: FaultServer) -> None:
    for path in ("/hostile.xml", "/nolink.xml"):
        add_feed(engine, server.url(path))
    report = ingest_once(engine, settings=SETTINGS)
    assert report.n_failed == 0
    with engine.connect() as conn:
        rows = {r.title: r for r in conn.execute(select(db.articles))}
    assert len(rows) == 2
    hostile = next(r for t, r in rows.items() if "Oslo" in t)
    assert "<script" not in hostile.title.lower() and "<iframe" not in hostile.summary.lower()
    linkless = next(r for t, r in rows.items() if "no link" in t)
    assert linkless.url == "" and linkless.published_estimated


def test_second_run_loses_and_duplicates_nothing(engine: Engine, server: FaultServer) -> None:
    _good, faults = subscribe_all(engine, server)
    ingest_once(engine, settings=SETTINGS)
    n_articles, n_sightings = count(engine, db.articles), count(engine, db.sightings)

    second = ingest_once(engine, settings=SETTINGS, force=True)
    assert count(engine, db.articles) == n_articles and count(engine, db.sightings) == n_sightings
    assert second.n_new == 0
    by_url = {r.feed_url: r for r in second.results}
    # feeds with validators answer 304 on the second poll; the others are re-read, nothing new
    for path in ("/feed/world.xml", "/feed/europe.xml", "/feed/fr.xml"):
        assert by_url[server.url(path)].not_modified
    for url, error_class in faults.items():
        assert by_url[url].error_class == error_class
        row = feed_row(engine, url)
        assert row.consecutive_failures == 2 and json.loads(row.error_counts) == {error_class: 2}
    assert count(engine, db.fetch_log) == 2 * len(by_url)


def test_conditional_get_logs_not_modified_and_stores_nothing(engine: Engine, server: FaultServer) -> None:
    url = server.url("/feed/world.xml")
    add_feed(engine, url)
    first = ingest_once(engine, settings=SETTINGS)
    assert first.results[0].n_new == 3
    row = feed_row(engine, url)
    assert row.etag and row.last_modified

    second = ingest_once(engine, settings=SETTINGS, force=True)
    sent = server.requests_to("/feed/world.xml")[-1]
    assert sent["If-None-Match"] == row.etag and sent["If-Modified-Since"] == row.last_modified
    [result] = second.results
    assert result.not_modified and result.status == 304 and result.n_new == 0 and result.ok
    last = log_rows(engine, url)[-1]
    assert last.not_modified and last.status == 304 and last.n_new == 0 and last.bytes == 0
    assert count(engine, db.articles) == 3
    assert feed_row(engine, url).last_success_at > row.last_success_at

    # the feed changes: a 200 again, only the new items are new
    server.feeds["world"] = world_feed(5)
    third = ingest_once(engine, settings=SETTINGS, force=True)
    assert third.results[0].status == 200 and third.results[0].n_new == 2
    assert count(engine, db.articles) == 5


def test_retry_after_and_backoff_schedule_the_next_poll(engine: Engine, server: FaultServer) -> None:
    limited, broken, fine = server.url("/status/429.xml?retry=3600"), server.url("/status/500.xml"), server.url("/feed/fr.xml")
    for url in (limited, broken, fine):
        add_feed(engine, url, poll_minutes=10)
    before = db.utcnow()
    ingest_once(engine, settings=SETTINGS)
    assert feed_row(engine, limited).next_fetch_at >= before + dt.timedelta(seconds=3600)
    assert before + dt.timedelta(minutes=10) <= feed_row(engine, broken).next_fetch_at < before + dt.timedelta(minutes=11)
    assert before + dt.timedelta(minutes=10) <= feed_row(engine, fine).next_fetch_at < before + dt.timedelta(minutes=11)

    # nothing is due now: a normal run polls nothing and says so
    report = ingest_once(engine, settings=SETTINGS)
    assert report.n_feeds == 0 and report.n_skipped == 3

    # forced again: the failing feed's wait doubles, the Retry-After still wins for the 429
    before = db.utcnow()
    ingest_once(engine, settings=SETTINGS, force=True)
    assert feed_row(engine, broken).next_fetch_at >= before + dt.timedelta(minutes=20)
    assert feed_row(engine, limited).next_fetch_at >= before + dt.timedelta(seconds=3600)


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(15, n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [15, 30, 60, 120]
    assert backoff_delay(15, 50) == dt.timedelta(hours=12)


def test_run_deadline_records_unfinished_feeds(engine: Engine, server: FaultServer) -> None:
    urls = [server.url(f"/slow.xml?s=3&i={i}") for i in range(4)]
    for url in urls:
        add_feed(engine, url)
    settings = Settings(fetch_timeout_s=10, fetch_workers=1, run_deadline_s=0.6)
    t0 = time.monotonic()
    report = ingest_once(engine, settings=settings)
    assert time.monotonic() - t0 < 3
    assert {r.error_class for r in report.results} == {"timeout"} and len(report.results) == 4
    assert all("deadline" in r.error for r in report.results), [r.error for r in report.results]
    assert sum("before this feed was polled" in r.error for r in report.results) >= 2
    assert count(engine, db.fetch_log) == 4


def test_named_feeds_and_unknown_feed(engine: Engine, server: FaultServer) -> None:
    world, europe = server.url("/feed/world.xml"), server.url("/feed/europe.xml")
    add_feed(engine, world)
    add_feed(engine, europe)
    set_enabled(engine, europe, False)
    assert [f.url for f in select_feeds(engine)[0]] == [world]  # disabled feeds are not polled...
    report = ingest_once(engine, settings=SETTINGS, feeds=[europe])  # ...unless named
    assert [r.feed_url for r in report.results] == [europe] and report.n_new == 2
    with pytest.raises(FeedListError, match="not subscribed"):
        ingest_once(engine, settings=SETTINGS, feeds=["http://127.0.0.1:9/none.xml"])


def test_ingest_every_runs_until_stopped(engine: Engine, server: FaultServer) -> None:
    add_feed(engine, server.url("/feed/world.xml"), poll_minutes=1)
    reports = []
    stop = threading.Event()

    def on_report(report) -> None:  # type: ignore[no-untyped-def]
        reports.append(report)
        if len(reports) == 3:
            stop.set()

    runs = ingest_every(engine, 0.001, stop=stop, settings=SETTINGS, on_report=on_report)
    assert runs == 3
    assert reports[0].n_new == 3
    assert [r.n_feeds for r in reports[1:]] == [0, 0]  # polled again only when due (1 minute)
    assert all(r.n_skipped == 1 for r in reports[1:])


def test_concurrent_writer_and_ingest_subprocess(tmp_path: Path, server: FaultServer) -> None:
    """An `ingest` process and this process write the same SQLite file: both finish, no lock errors."""
    path = tmp_path / "shared.sqlite"
    engine = db.make_engine(path)
    for i in range(12):
        server.feeds[f"f{i}"] = world_feed(40, start=100 * i)
        add_feed(engine, server.url(f"/feed/f{i}.xml"))
    env = {**os.environ, "SITROOM_FETCH_WORKERS": "4", "SITROOM_FETCH_TIMEOUT_S": "5", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "sitroom", "ingest", "--db", str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    written = 0
    try:
        while proc.poll() is None or written < 50:
            with db.write_tx(engine) as conn:  # a competing writer: the dashboard's own bookkeeping, say
                db.set_meta(conn, "test_counter", str(written))
                conn.execute(db.feeds.update().where(db.feeds.c.url == server.url("/feed/f0.xml")).values(region=f"r{written}"))
            written += 1
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "locked" not in err.lower()
    assert "12 ok" in out
    assert count(engine, db.articles) == 12 * 40 and count(engine, db.fetch_log) == 12
    with engine.connect() as conn:
        assert db.get_meta(conn, "test_counter") == str(written - 1)
    engine.dispose()


def test_fetch_result_entries_are_not_kept_in_the_report(engine: Engine, server: FaultServer) -> None:
    add_feed(engine, server.url("/feed/world.xml"))
    [result] = ingest_once(engine, settings=SETTINGS).results
    assert isinstance(result, FetchResult) and result.entries == () and result.n_new == 3


def test_new_articles_get_their_mentions_after_the_run(engine: Engine, server: FaultServer) -> None:
    pytest.importorskip("loaders.extract")
    for path in ("/feed/world.xml", "/feed/fr.xml"):
        add_feed(engine, server.url(path))
    report = ingest_once(engine, settings=SETTINGS)
    assert report.n_extracted == report.n_new == 4
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.articles)
                            .where(db.articles.c.extracted_version.is_(None))).scalar() == 0
    assert ingest_once(engine, settings=SETTINGS, force=True).n_extracted is None  # nothing new: not called


def test_requests_per_host_are_limited(engine: Engine, server: FaultServer) -> None:
    for i in range(6):
        add_feed(engine, server.url(f"/slow.xml?s=0.3&i={i}"))
    settings = Settings(fetch_timeout_s=5, fetch_workers=8, run_deadline_s=30)
    report = ingest_once(engine, settings=settings, max_per_host=2)
    assert report.n_failed == 0 and report.n_feeds == 6
    assert server.slow_max_in_flight == 2  # 8 workers, but one host: two at a time


def test_interleave_by_host() -> None:
    def feed(url: str) -> DueFeed:
        return DueFeed(0, url, "", "", "", 15, 0)

    urls = ["https://a.test/1", "https://a.test/2", "https://a.test/3", "https://b.test/1", "https://c.test/1",
            "https://b.test/2"]
    assert [f.url for f in interleave_by_host([feed(u) for u in urls])] == [
        "https://a.test/1", "https://b.test/1", "https://c.test/1", "https://a.test/2", "https://b.test/2",
        "https://a.test/3",
    ]


def test_a_feed_that_cannot_be_stored_is_recorded_and_rolled_back(engine: Engine, server: FaultServer) -> None:
    world, europe = server.url("/feed/world.xml"), server.url("/feed/europe.xml")
    add_feed(engine, world)
    europe_id = add_feed(engine, europe)
    with db.write_tx(engine) as conn:  # a real storage failure for one feed: the database refuses its rows
        conn.exec_driver_sql(
            f"CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.feed_id = {europe_id} "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    report = ingest_once(engine, settings=SETTINGS)
    by_url = {r.feed_url: r for r in report.results}
    assert by_url[world].ok and by_url[world].n_new == 3
    assert by_url[europe].error_class == "store" and "disk says no" in by_url[europe].error
    row = feed_row(engine, europe)
    assert row.last_error_class == "store" and row.etag == ""  # validators not kept: next poll re-reads
    [entry] = log_rows(engine, europe)
    assert entry.error_class == "store" and entry.n_new == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.articles)
                            .where(db.articles.c.feed_id == europe_id)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(db.sightings)
                            .where(db.sightings.c.feed_id == europe_id)).scalar() == 0

    with db.write_tx(engine) as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse")
    again = ingest_once(engine, settings=SETTINGS, force=True)
    assert {r.feed_url: r.n_new for r in again.results} == {world: 0, europe: 2}


def test_killed_run_loses_at_most_the_feeds_in_flight(tmp_path: Path, server: FaultServer) -> None:
    """SIGKILL in the middle of a run: what was written is whole, and the next run completes the rest."""
    path = tmp_path / "killed.sqlite"
    engine = db.make_engine(path)
    urls = []
    for i in range(10):
        server.feeds[f"k{i}"] = world_feed(30, start=1000 + 100 * i)
        urls.append(server.url(f"/feed/k{i}.xml"))
    urls += [server.url(f"/slow.xml?s=30&i={i}") for i in range(2)]  # keeps the run busy until killed
    for url in urls:
        add_feed(engine, url)
    env = {**os.environ, "SITROOM_FETCH_WORKERS": "2", "SITROOM_FETCH_TIMEOUT_S": "60", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "sitroom", "ingest", "--db", str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30 and count(engine, db.fetch_log) < 5:
            time.sleep(0.05)
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    logged = count(engine, db.fetch_log)
    assert 0 < logged < len(urls), "the kill did not land in the middle of the run"
    # each logged feed has all its items, unlogged ones none: a poll is stored whole or not at all
    with engine.connect() as conn:
        per_feed = dict(conn.execute(
            select(db.feeds.c.url, func.count(db.articles.c.id))
            .join_from(db.feeds, db.articles, db.articles.c.feed_id == db.feeds.c.id, isouter=True)
            .group_by(db.feeds.c.url)
        ).all())
        logged_urls = set(conn.execute(
            select(db.feeds.c.url).join_from(db.fetch_log, db.feeds, db.fetch_log.c.feed_id == db.feeds.c.id)
        ).scalars())
    for url in urls[:10]:
        assert per_feed[url] == (30 if url in logged_urls else 0), url

    report = ingest_once(engine, settings=SETTINGS, feeds=urls[:10], force=True)
    assert report.n_failed == 0
    assert count(engine, db.articles) == 300
    engine.dispose()


def test_moved_feed_is_polled_and_flagged(engine: Engine, server: FaultServer) -> None:
    url = server.url("/redirect.xml?code=301&to=/feed/europe.xml")
    add_feed(engine, url)
    [result] = ingest_once(engine, settings=SETTINGS).results
    assert result.ok and result.n_new == 2
    assert "moved permanently to " + server.url("/feed/europe.xml") in result.error
    assert "moved permanently" in log_rows(engine, url)[0].error_message
