"""The background poller: real SQLite, real ingestion, a real loopback HTTP server with invented feeds.

Also: the poller beside a separately started ingest process on the same archive (no
"database is locked"), and the status line rendered by AppTest.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from loaders import db
from loaders.feeds import add_feed, ensure_default_feeds
from loaders.ingest import ingest_once
from loaders.queries import read_archive_health
from sitroom.settings import Settings
from ui.poller import Poller, ago

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(fetch_timeout_s=5.0, run_deadline_s=60.0, fetch_workers=2)
HEADLINES = (  # invented
    "Ministers of Ukraine and Poland meet on border crossings",
    "Airbus tests a hydrogen demonstrator over the Atlantic",
    "China and Brazil sign a soybean logistics agreement",
    "NATO opens a cyber training range in Estonia",
    "Harbour strike delays grain shipments from Odesa",
)


def rss(feed_name: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 document of (guid, title) items, newest first, dated just now."""
    now = dt.datetime.now(dt.UTC)
    body = "".join(
        f"<item><title>{escape(title)}</title><link>http://news.invalid/{feed_name}/{guid}</link>"
        f"<guid>{feed_name}-{guid}</guid><description>Invented summary for {escape(guid)}.</description>"
        f"<pubDate>{format_datetime(now - dt.timedelta(minutes=i))}</pubDate></item>"
        for i, (guid, title) in enumerate(items)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{feed_name}</title>'
            f"<link>http://news.invalid/</link><description>fixture</description><language>en</language>"
            f"{body}</channel></rss>").encode()


class FeedServer:
    """Loopback HTTP server: /static/NAME.xml (5 fixed items), /fresh/NAME.xml (50 new items per
    request), /slow/NAME.xml (the static feed after a delay), /status/CODE (that HTTP status)."""

    def __init__(self) -> None:
        self.counter = 0
        self.lock = threading.Lock()
        self.slow_s = 3.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = self.path.strip("/").split("/")
                kind, name = parts[0], parts[-1].removesuffix(".xml")
                if kind == "status":
                    self.send_response(int(name))
                    self.end_headers()
                    return
                if kind == "slow":
                    time.sleep(outer.slow_s)
                if kind == "fresh":
                    with outer.lock:
                        start, outer.counter = outer.counter, outer.counter + 50
                    items = [(f"n{n}", f"{HEADLINES[n % len(HEADLINES)]} (update {n})") for n in range(start, start + 50)]
                else:
                    items = [(f"s{n}", title) for n, title in enumerate(HEADLINES)]
                data = rss(name, items)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def poller(engine) -> Iterator[Poller]:  # type: ignore[no-untyped-def]
    p = Poller(engine, poll_minutes=0, settings=SETTINGS).start()
    yield p
    p.stop()


def n_articles(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(db.articles)).scalar_one())


def test_a_requested_poll_stores_articles_and_reports_progress(engine, feeds, poller) -> None:
    add_feed(engine, f"{feeds.url}/static/one.xml", name="One", language="en")
    add_feed(engine, f"{feeds.url}/static/two.xml", name="Two", language="en")
    before = poller.status().generation

    assert poller.request_poll()
    assert poller.wait_idle(60)

    s = poller.status()
    assert (s.done, s.total, s.n_failed, s.n_new) == (2, 2, 0, 10)
    assert s.last_job == "poll" and s.last_poll_finished_at is not None and not s.busy and not s.error
    assert s.generation > before  # the pages' caches learn that the archive changed
    assert n_articles(engine) == 10
    health = read_archive_health(engine)
    assert (health.n_articles, health.n_feeds, health.n_feeds_ok, health.n_feeds_failing) == (10, 2, 2, 0)


def test_failing_feeds_are_named_with_their_error_class(engine, feeds, poller) -> None:
    add_feed(engine, f"{feeds.url}/static/good.xml", name="Good", language="en")
    add_feed(engine, f"{feeds.url}/status/503", name="Broken", language="en")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    dead_port = closed.server_address[1]
    closed.server_close()  # nothing listens there any more: connection refused
    add_feed(engine, f"http://127.0.0.1:{dead_port}/feed.xml", name="Gone", language="en")

    poller.request_poll()
    assert poller.wait_idle(60)

    s = poller.status()
    assert (s.done, s.total, s.n_failed, s.n_new) == (3, 3, 2, 5)
    assert {f.error_class for f in s.failures} == {"http_5xx", "connect"}
    health = read_archive_health(engine)
    assert (health.n_feeds, health.n_feeds_ok, health.n_feeds_failing) == (3, 1, 2)
    assert {(name, cls) for name, _url, cls, _msg in health.failing} == {("Broken", "http_5xx"), ("Gone", "connect")}


def test_an_empty_feed_list_is_seeded_before_the_first_poll(engine, feeds, tmp_path) -> None:
    csv = tmp_path / "feeds.csv"
    csv.write_text(f"name,url,language,publisher,region\nSeeded,{feeds.url}/static/seed.xml,en,Fixture,World\n")
    p = Poller(engine, poll_minutes=0, settings=SETTINGS, seed=lambda e: ensure_default_feeds(e, csv)).start()
    try:
        p.request_poll()
        assert p.wait_idle(60)
    finally:
        p.stop()
    assert p.status().seeded
    assert n_articles(engine) == 5


def test_a_schedule_polls_at_start_and_zero_minutes_never_polls(engine, feeds) -> None:
    add_feed(engine, f"{feeds.url}/fresh/sched.xml", name="Sched", language="en")
    off = Poller(engine, poll_minutes=0, settings=SETTINGS).start()
    time.sleep(1.0)
    off.stop()
    assert off.status().last_job == "" and n_articles(engine) == 0

    on = Poller(engine, poll_minutes=15, settings=SETTINGS).start()
    try:
        deadline = time.monotonic() + 60
        while on.status().last_job != "poll" and time.monotonic() < deadline:
            time.sleep(0.1)
        s = on.status()
    finally:
        on.stop()
    assert s.last_job == "poll" and s.n_new == 50
    assert s.next_poll_at is not None and s.next_poll_at - db.utcnow() > dt.timedelta(minutes=14)


def test_pages_are_not_blocked_while_a_poll_runs(engine, feeds, poller) -> None:
    add_feed(engine, f"{feeds.url}/slow/slow.xml", name="Slow", language="en")
    t0 = time.monotonic()
    poller.request_poll()
    assert time.monotonic() - t0 < 0.5  # request returns at once
    deadline = time.monotonic() + 5
    while not poller.status().busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert poller.status().busy and poller.status().job == "poll"
    assert not poller.request_poll()  # a second request while one runs is dropped, not queued twice
    t0 = time.monotonic()
    health = read_archive_health(engine)  # a reader during the poll
    assert time.monotonic() - t0 < 1.0 and health.n_feeds == 1
    assert poller.wait_idle(60)
    assert n_articles(engine) == 5


SUBPROCESS_INGEST = """
import sys
from loaders.db import make_engine
from loaders.ingest import ingest_once
from sitroom.settings import Settings
engine = make_engine(sys.argv[1])
settings = Settings(fetch_timeout_s=5.0, run_deadline_s=60.0, fetch_workers=2)
bad = []
for _ in range(int(sys.argv[3])):
    report = ingest_once(engine, settings=settings, feeds=[sys.argv[2]], force=True)
    bad += [r.error_class + ": " + r.error for r in report.results if not r.ok]
print("failures:", bad)
sys.exit(1 if bad else 0)
"""


def test_the_poller_and_a_separate_ingest_process_share_the_archive(engine, db_path, feeds, poller) -> None:
    mine, theirs = f"{feeds.url}/fresh/poller.xml", f"{feeds.url}/fresh/cli.xml"
    add_feed(engine, mine, name="Poller feed", language="en")
    add_feed(engine, theirs, name="CLI feed", language="en")
    runs = 15
    proc = subprocess.Popen([sys.executable, "-c", SUBPROCESS_INGEST, str(db_path), theirs, str(runs)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failures = []
    for _ in range(runs):
        report = None

        def capture(r, _done, _total):  # type: ignore[no-untyped-def]
            nonlocal report
            report = r

        p = Poller(engine, poll_minutes=0, settings=SETTINGS,
                   ingest=lambda e, **kw: ingest_once(e, feeds=[mine], force=True, **kw))
        p.start().request_poll()
        assert p.wait_idle(60)
        p.stop()
        failures += [f"{f.error_class}: {f.message}" for f in p.status().failures]
        assert not p.status().error
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert failures == []
    assert "locked" not in out
    # both writers stored everything: 50 new articles per poll each
    assert n_articles(engine) == 2 * runs * 50


def test_ago_is_compact() -> None:
    now = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    assert ago(None, now) == "never"
    assert ago(now - dt.timedelta(seconds=20), now) == "just now"
    assert ago(now - dt.timedelta(minutes=3, seconds=5), now) == "3 min ago"
    assert ago(now - dt.timedelta(hours=5), now) == "5 h ago"
    assert ago(now - dt.timedelta(days=4), now) == "4 days ago"


# --- the status line, rendered --------------------------------------------------------------

def _status_script() -> None:
    from ui.poller import render_archive_status

    render_archive_status()


def _app(monkeypatch, db_path: Path, poll_minutes: int):  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SITROOM_DB", str(db_path))
    monkeypatch.setenv("SITROOM_POLL_MINUTES", str(poll_minutes))
    monkeypatch.setenv("SITROOM_FETCH_TIMEOUT_S", "5")
    return AppTest.from_function(_status_script, default_timeout=30)


def test_status_line_on_an_empty_archive_with_polling_off_offers_poll_and_backfill(monkeypatch, db_path, engine) -> None:
    at = _app(monkeypatch, db_path, 0).run()
    assert not at.exception
    assert "archive is empty" in at.info[0].value
    assert [b.label for b in at.button] == ["Subscribe to the default feeds and poll them now", "Import folder"]
    assert at.text_input[0].label == "Folder of archived feed files"
    at.text_input[0].input("/no/such/folder").run()
    at.button(key="sitroom_backfill_go").click().run()
    assert "Not a folder: /no/such/folder" in at.error[0].value


def test_status_line_is_compact_on_a_healthy_archive(monkeypatch, db_path, engine, feeds) -> None:
    add_feed(engine, f"{feeds.url}/static/ok.xml", name="Ok", language="en")
    add_feed(engine, f"{feeds.url}/status/404", name="Missing", language="en")
    ingest_once(engine, settings=SETTINGS)
    at = _app(monkeypatch, db_path, 0).run()
    assert not at.exception
    line = at.caption[0].value
    assert line.startswith("Archive: 5 articles · last fetch just now · polling off · 1/2 feeds ok"), line
    assert at.expander[0].label == "1 feed failing"
    assert "Missing" in at.expander[0].markdown[0].value and "http_4xx" in at.expander[0].markdown[0].value


def test_status_line_shows_progress_while_the_first_poll_runs(monkeypatch, db_path, engine, feeds) -> None:
    feeds.slow_s = 4.0
    add_feed(engine, f"{feeds.url}/slow/first.xml", name="First", language="en")
    at = _app(monkeypatch, db_path, 15).run()  # empty archive, polling on: the worker starts at once
    assert not at.exception
    deadline = time.monotonic() + 5
    while not at.get("progress") and time.monotonic() < deadline:
        at.run()
    bars = at.get("progress")
    assert bars, at
    assert "Polling feeds" in bars[0].proto.text


def write_archived_feeds(root: Path) -> Path:
    """Two invented feed snapshots of one outlet, as a backfill folder holds them."""
    folder = root / "invented_outlet" / "rss_world_2024"
    folder.mkdir(parents=True)
    (folder / "world_2024-03-01.xml").write_bytes(rss("world", [(f"a{i}", t) for i, t in enumerate(HEADLINES[:3])]))
    (folder / "world_2024-03-02.xml").write_bytes(rss("world", [(f"a{i}", t) for i, t in enumerate(HEADLINES)]))
    return root


def test_a_backfill_runs_in_the_background_and_reports_what_it_imported(engine, poller, tmp_path) -> None:
    root = write_archived_feeds(tmp_path / "feeds")
    before = poller.status().generation
    assert poller.request_backfill(root)
    assert poller.wait_idle(120)
    s = poller.status()
    assert s.last_job == "backfill" and not s.error, s
    assert (s.n_new, s.done, s.n_failed) == (5, 2, 0)
    assert "5 new articles from 2 files" in s.message
    assert s.generation > before
    assert n_articles(engine) == 5


def test_status_line_offline_names_the_failed_feeds_and_offers_a_backfill(monkeypatch, db_path, engine, tmp_path) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    dead_port = closed.server_address[1]
    closed.server_close()
    add_feed(engine, f"http://127.0.0.1:{dead_port}/world.xml", name="Unreachable", language="en")
    at = _app(monkeypatch, db_path, 15).run()  # polling on: the first poll starts and fails
    deadline = time.monotonic() + 30
    while (at.get("progress") or not at.warning) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception
    assert "The archive is empty: 1 of 1 feeds failed" in at.warning[0].value
    assert "Unreachable" in at.markdown[0].value and "connect" in at.markdown[0].value

    root = write_archived_feeds(tmp_path / "feeds")
    at.text_input(key="sitroom_backfill_path").input(str(root)).run()
    at.button(key="sitroom_backfill_go").click().run()
    deadline = time.monotonic() + 60
    while not at.success and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception
    assert "5 new articles from 2 files" in at.success[0].value
    assert at.caption[0].value.startswith("Archive: 5 articles")


def test_the_poller_keeps_one_matcher_and_reloads_it_when_the_gazetteer_changes(engine, feeds, monkeypatch) -> None:
    import ui.poller as poller_module
    from loaders.extract import load_matcher

    signature = ["v1"]
    monkeypatch.setattr(poller_module, "gazetteer_signature", lambda: tuple(signature))
    handed: list[object] = []

    def ingest(engine, **kwargs):  # type: ignore[no-untyped-def]
        handed.append(kwargs.get("matcher"))
        return ingest_once(engine, **kwargs)

    add_feed(engine, f"{feeds.url}/fresh/world.xml", name="World", language="en")
    p = Poller(engine, poll_minutes=0, settings=SETTINGS, ingest=ingest, load_matcher=load_matcher).start()
    try:
        for _ in range(2):
            assert p.request_poll(force=True) and p.wait_idle(60)
        assert p.matcher_loads == 1 and handed[0] is not None and handed[0] is handed[1]  # built once, reused
        with engine.connect() as conn:  # and it is the one extraction used: mentions were found
            assert conn.execute(select(func.count()).select_from(db.mentions)).scalar_one() > 0
        signature[0] = "v2"  # a gazetteer file changed
        assert p.request_poll(force=True) and p.wait_idle(60)
        assert p.matcher_loads == 2 and handed[2] is not handed[1]
        assert not p.status().error
    finally:
        p.stop()


def test_the_gazetteer_signature_follows_the_user_file(monkeypatch, tmp_path) -> None:
    from ui.poller import gazetteer_signature

    user = tmp_path / "custom.csv"
    monkeypatch.setenv("SITROOM_GAZETTEER_USER", str(user))
    before = gazetteer_signature()
    assert before  # the shipped gazetteer files
    user.write_text("entity_id,type\n")
    assert gazetteer_signature() != before


def test_a_backfill_reports_files_done_and_total_while_it_runs(engine, tmp_path) -> None:
    from loaders.backfill import backfill

    root = write_archived_feeds(tmp_path / "feeds")
    seen: list[tuple[int, int]] = []

    def spy(engine, root, **kwargs):  # type: ignore[no-untyped-def]
        on_progress = kwargs["on_progress"]  # the poller must hand the status line a progress callback

        def record(done: int, total: int) -> None:
            on_progress(done, total)
            s = p.status()
            seen.append((s.done, s.total))

        return backfill(engine, root, **{**kwargs, "on_progress": record})

    p = Poller(engine, poll_minutes=0, settings=SETTINGS, backfill=spy).start()
    try:
        assert p.request_backfill(root) and p.wait_idle(120)
    finally:
        p.stop()
    assert seen and seen[-1] == (2, 2) and all(total == 2 for _, total in seen), seen
    assert not p.status().error and p.status().n_new == 5


def _backfill_one_feed(engine, tmp_path, items: str) -> None:
    """Backfill a one-file archive of one feed (with its own feed URL) holding `items`, unextracted."""
    from loaders.backfill import backfill

    folder = tmp_path / "tree" / "outlet" / "series"
    folder.mkdir(parents=True)
    (folder / "outlet-series_2022-02-24.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
        '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://example.org/feed.xml"/>'
        f"{items}</channel></rss>",
        encoding="utf-8",
    )
    backfill(engine, tmp_path / "tree", workers=1, progress=False, extract=False)


def test_status_line_of_a_backfilled_archive_says_no_feed_was_polled(monkeypatch, db_path, engine, tmp_path) -> None:
    """An archive made by backfill alone is not '0/1 feeds ok' (which reads as an outage)."""
    _backfill_one_feed(engine, tmp_path, "<item><title>Kyiv under fire</title><link>https://example.org/a</link>"
                                         "<pubDate>Thu, 24 Feb 2022 05:00:00 GMT</pubDate></item>")
    at = _app(monkeypatch, db_path, 0).run()
    assert not at.exception
    assert at.caption[0].value.startswith("Archive: 1 article · last fetch never · polling off · 1 feed, none polled yet")


def test_status_line_says_when_counts_are_provisional(monkeypatch, db_path, engine, tmp_path) -> None:
    """Articles stored but not yet extracted (or extracted with an older gazetteer) are announced."""
    from loaders import db
    from loaders.extract import extract_pending

    _backfill_one_feed(engine, tmp_path, "<item><title>Kyiv under fire</title><link>https://example.org/a</link></item>"
                                         "<item><title>Talks in Minsk</title><link>https://example.org/b</link></item>")
    at = _app(monkeypatch, db_path, 0).run()
    assert "2 articles awaiting entity extraction" in at.caption[0].value

    import streamlit as st

    extract_pending(engine)
    st.cache_data.clear()  # the status line's counts are cached with a TTL, as in the app
    at = _app(monkeypatch, db_path, 0).run()
    assert "awaiting" not in at.caption[0].value

    with db.write_tx(engine) as conn:  # the gazetteer changed: every article is stale again
        db.set_meta(conn, "gazetteer_version", "a-newer-version")
    st.cache_data.clear()
    at = _app(monkeypatch, db_path, 0).run()
    assert "2 articles awaiting entity extraction" in at.caption[0].value
