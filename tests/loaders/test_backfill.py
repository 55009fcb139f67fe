"""backfill() on small archive trees written into tmp_path (invented items only)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from loaders.backfill import backfill, capture_time
from loaders.db import article_daily, articles, feeds, make_engine, sightings
from tests.conftest import ROOT


def rss(title: str, items: list[tuple[str, str, str | None]], *, self_link: str = "", language: str = "en",
        link: str = "https://site.example/") -> bytes:
    """An RSS 2.0 document; items are (title, link, pubDate or None)."""
    atom = f'<atom:link href="{self_link}" rel="self" type="application/rss+xml"/>' if self_link else ""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>{f'<pubDate>{d}</pubDate>' if d else ''}</item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>{title}</title><link>{link}</link><language>{language}</language>{atom}"
        f"{body}</channel></rss>"
    ).encode()


def make_tree(root: Path) -> Path:
    paris = root / "quotidien" / "rss_international_2022"
    paris.mkdir(parents=True)
    (paris / "quotidien-intl_2022-03-05_18-34-00.xml").write_bytes(rss(
        "Le Quotidien - International",
        [("L'OTAN se réunit à Bruxelles", "https://quotidien.example/a1", "Sat, 05 Mar 2022 10:00:00 +0100"),
         ("Sans date, donc estimée", "https://quotidien.example/a2", None)],
        self_link="https://quotidien.example/international/rss.xml", language="fr",
    ))
    (paris / "quotidien-intl_2022-03-06_19-00-00.xml").write_bytes(rss(
        "Le Quotidien - International",
        [("L'OTAN se réunit à Bruxelles", "https://quotidien.example/a1?xtor=RSS-1", "Sat, 05 Mar 2022 10:00:00 +0100"),
         ("Kyiv sous les sirènes", "https://quotidien.example/a3", "Sun, 06 Mar 2022 08:00:00 +0100")],
        self_link="https://quotidien.example/international/rss.xml", language="fr",
    ))
    wire = root / "wire" / "rss_world_2020"
    wire.mkdir(parents=True)
    (wire / "wire-world_2020-05-10T0753Z.xml").write_bytes(rss(
        "Wire World",
        [("Same URL as the Paris feed", "https://quotidien.example/a3", "Sun, 10 May 2020 07:00:00 GMT"),
         ("Wire-only story", "https://wire.example/w1", "Sun, 10 May 2020 06:00:00 GMT")],
    ))
    (wire / "wire-world_2020-05-11T0800Z.xml").write_bytes(b'<?xml version="1.0"?><rss><channel><item><title>cut')
    (wire / "wire-world_2020-05-12T0800Z.xml").write_bytes(b"")
    daily = root / "daily" / "rss_2023"
    daily.mkdir(parents=True)
    (daily / "daily_2023-01-05.xml").write_bytes(rss("Daily", [("Undated daily item", "https://daily.example/d1", None)],
                                                       link="https://daily.example/rss.xml"))
    (daily / "notes.txt").write_text("not a feed file; ignored")
    return root


def scalar(engine: Engine, query) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_capture_time_from_file_names(tmp_path: Path) -> None:
    assert capture_time(Path("x_2022-03-05_18-34-00.xml")) == dt.datetime(2022, 3, 5, 17, 34, tzinfo=dt.UTC)
    assert capture_time(Path("x_2022-07-05_19-00-00.xml")) == dt.datetime(2022, 7, 5, 17, 0, tzinfo=dt.UTC)  # CEST
    assert capture_time(Path("bbc_2020-05-10T0753Z.xml")) == dt.datetime(2020, 5, 10, 7, 53, tzinfo=dt.UTC)
    assert capture_time(Path("nyt_2023-01-05.xml")) == dt.datetime(2023, 1, 5, 12, tzinfo=dt.UTC)
    assert capture_time(Path("aj_2023-01-05_1.xml")) == dt.datetime(2023, 1, 5, 12, tzinfo=dt.UTC)
    plain = tmp_path / "feed.xml"
    plain.write_bytes(b"")
    os.utime(plain, (1_600_000_000, 1_600_000_000))
    assert capture_time(plain) == dt.datetime.fromtimestamp(1_600_000_000, dt.UTC)


@pytest.mark.parametrize("workers", [1, 2])
def test_backfill_twice_adds_nothing_the_second_time(tmp_path: Path, engine: Engine, workers: int) -> None:
    root = make_tree(tmp_path / "archive")
    first = backfill(engine, root, workers=workers, progress=False, extract=False)
    assert first.n_files == 6 and first.n_items == 7
    assert first.n_new == 5  # a1 twice (tracking param), a3 in two feeds
    assert first.n_duplicates == 2
    assert {(Path(p).name, cls) for p, cls, _ in first.errors} == {
        ("wire-world_2020-05-11T0800Z.xml", "malformed"), ("wire-world_2020-05-12T0800Z.xml", "empty"),
    }
    second = backfill(engine, root, workers=workers, progress=False, extract=False)
    assert (second.n_new, second.n_updated, second.n_duplicates) == (0, 0, 7)
    assert scalar(engine, select(func.count()).select_from(articles)) == 5
    assert scalar(engine, select(func.count()).select_from(sightings)) == 6
    assert scalar(engine, select(func.count()).select_from(feeds)) == 3
    assert scalar(engine, select(func.sum(article_daily.c.n_articles))) == 5


def test_backfill_feed_identity_dates_and_languages(tmp_path: Path, engine: Engine) -> None:
    root = make_tree(tmp_path / "archive")
    backfill(engine, root, workers=1, progress=False, extract=False)
    with engine.connect() as conn:
        by_url = {r.url: r for r in conn.execute(select(feeds))}
        rows = {r.title: r for r in conn.execute(select(articles))}
    assert set(by_url) == {
        "https://quotidien.example/international/rss.xml",  # its atom:link rel=self
        "https://daily.example/rss.xml",  # channel link that is a feed URL
        "backfill:wire/rss_world_2020",  # channel link is a home page: the folder names it
    }
    paris = by_url["https://quotidien.example/international/rss.xml"]
    assert (paris.name, paris.language) == ("Le Quotidien - International", "fr")
    undated = rows["Sans date, donc estimée"]
    assert undated.published_estimated and undated.published_at == dt.datetime(2022, 3, 5, 17, 34, tzinfo=dt.UTC)
    assert undated.first_seen_at == dt.datetime(2022, 3, 5, 17, 34, tzinfo=dt.UTC) and undated.language == "fr"
    kyiv = rows["Kyiv sous les sirènes"]
    assert kyiv.feed_id == paris.id  # first carried (by capture order within the folder) by the Paris feed
    daily = rows["Undated daily item"]
    assert daily.day == "2023-01-05" and daily.published_estimated


def test_existing_feed_with_the_same_url_is_reused(tmp_path: Path, engine: Engine) -> None:
    from loaders.db import write_tx
    from loaders.store import ensure_feed

    with write_tx(engine) as conn:
        fid = ensure_feed(conn, url="https://quotidien.example/international/rss.xml", name="Subscribed", language="fr")
    backfill(engine, make_tree(tmp_path / "archive"), workers=1, progress=False, extract=False)
    with engine.connect() as conn:
        names = dict(conn.execute(select(feeds.c.id, feeds.c.name)).all())
    assert names[fid] == "Subscribed"
    assert scalar(engine, select(func.count()).select_from(articles).where(articles.c.feed_id == fid)) == 3


KILL_SCRIPT = """
import sys
from pathlib import Path
import loaders.backfill as b
from loaders.db import make_engine
b.FILES_PER_TX = 2
b.FILES_PER_TASK = 2
b.backfill(make_engine(sys.argv[1]), Path(sys.argv[2]), workers=1, progress=False, extract=False)
"""


def big_tree(root: Path, n_files: int = 400, per_file: int = 60) -> int:
    folder = root / "big" / "rss_2021"
    folder.mkdir(parents=True)
    for f in range(n_files):
        items = [
            (f"Item {f}-{i}", f"https://big.example/{f}/{i}", f"Mon, {1 + f % 28:02d} Feb 2021 10:{i % 60:02d}:00 GMT")
            for i in range(per_file)
        ]
        # overlap with the previous snapshot, like real consecutive captures
        items.append((f"Item {f - 1}-0", f"https://big.example/{f - 1}/0", "Mon, 01 Feb 2021 09:00:00 GMT"))
        (folder / f"big_2021-02-{1 + f % 28:02d}T{f // 28:02d}00Z.xml").write_bytes(rss("Big", items))
    return n_files * per_file + 1  # distinct URLs, including "-1/0"


@pytest.mark.slow
def test_kill_9_halfway_leaves_a_sound_archive_and_a_rerun_completes(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    expected = big_tree(root)
    db = tmp_path / "killed.sqlite"
    make_engine(db).dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db), str(root)], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE)
    written = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with sqlite3.connect(db, timeout=30) as probe:
                written = probe.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            if written > 0:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"backfill finished before it could be killed: {proc.stderr.read() if proc.stderr else ''}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert 0 < written < expected
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = check.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        daily = check.execute("SELECT COALESCE(SUM(n_articles), 0) FROM article_daily").fetchone()[0]
    assert partial < expected and daily == partial  # aggregates committed with their articles

    engine = make_engine(db)
    try:
        report = backfill(engine, root, workers=1, progress=False, extract=False)
        assert report.errors == ()
        assert scalar(engine, select(func.count()).select_from(articles)) == expected
        assert scalar(engine, select(func.count(func.distinct(articles.c.url)))) == expected
        assert scalar(engine, select(func.sum(article_daily.c.n_articles))) == expected
        assert backfill(engine, root, workers=1, progress=False, extract=False).n_new == 0
    finally:
        engine.dispose()


def test_progress_callback_counts_files(tmp_path: Path, engine: Engine) -> None:
    calls: list[tuple[int, int]] = []
    backfill(engine, make_tree(tmp_path / "archive"), workers=1, progress=False, extract=False,
             on_progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (6, 6)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_backfill_runs_extraction_when_the_module_exists(tmp_path: Path, engine: Engine) -> None:
    pytest.importorskip("loaders.extract")
    report = backfill(engine, make_tree(tmp_path / "archive"), workers=1, progress=False)
    assert report.n_extracted == 5
    with engine.connect() as conn:
        pending = conn.execute(
            select(func.count()).select_from(articles).where(articles.c.extracted_version.is_(None))
        ).scalar_one()
    assert pending == 0


def test_a_folder_without_a_feed_url_becomes_an_archive_only_feed_that_is_not_polled(tmp_path, engine) -> None:
    """Polling `backfill:<folder>` could only fail; the feed is kept (its articles need it), disabled."""
    from sqlalchemy import select

    from loaders import db
    from loaders.backfill import backfill
    from loaders.ingest import ingest_once

    folder = tmp_path / "tree" / "outlet" / "series"
    folder.mkdir(parents=True)
    (folder / "outlet-series_2022-02-24.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>No self link</title>'
        "<item><title>Kyiv under fire</title><link>https://example.org/a</link>"
        "<pubDate>Thu, 24 Feb 2022 05:00:00 GMT</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    report = backfill(engine, tmp_path / "tree", workers=1, progress=False, extract=False)
    assert report.n_new == 1
    with engine.connect() as conn:
        rows = conn.execute(select(db.feeds.c.url, db.feeds.c.enabled)).all()
    assert [(url.startswith("backfill:"), enabled) for url, enabled in rows] == [(True, False)]
    assert ingest_once(engine).results == ()
