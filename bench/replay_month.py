"""Trial of the poller against a month of real feeds replayed on loopback.

    .venv/bin/python bench/replay_month.py [--start 2022-02-01 --end 2022-02-28] [--workers 8] [--per-host 2] [--extract]

1. Starts ../shared/tools/feedreplay.py on a free loopback port, imports its /feeds.opml into a
   fresh temporary archive (checks the import was clean).
2. For each day: sets the replay clock, runs `ingest_once(force=True)` (every feed, as a poller
   would over that day), then polls again on the same day and checks that every feed that
   answered 200 now answers 304 and nothing is stored.
3. Computes the expected archive independently: for each feed and day, the snapshot file the
   server serves (newest capture on or before that day), parsed with feedparser directly (not
   loaders.parse), items identified by the same uid rule (`sitroom.normalize.article_uid` on the
   canonical URL, else feed URL + guid, else feed URL + title); checks the archive holds exactly
   that set of uids and that (article, feed) sightings match too.
4. Runs every /_faults/ endpoint in one ingest run and prints the per-feed outcome table.

Prints the figures; exits 1 if a check fails. Needs ../shared (not part of the test suite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import feedparser
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders import db  # noqa: E402
from loaders.feeds import add_feed, import_opml, list_feeds  # noqa: E402
from loaders.ingest import ingest_once  # noqa: E402
from sitroom.normalize import MAX_TITLE_CHARS, article_uid, canonical_url, plain_text  # noqa: E402
from sitroom.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
REPLAY = SHARED / "tools" / "feedreplay.py"
FEEDS = SHARED / "feeds"
FAULTS = ["slow.xml?s=8", "error500.xml", "notfound.xml", "redirect_loop.xml", "huge.xml?mb=50", "html.xml",
          "truncated.xml", "bad_encoding.xml", "entity_bomb.xml", "empty.xml", "gzip.xml", "hostile.xml"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        return bytes(response.read())


def start_replay(port: int, day: dt.date) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(REPLAY), "--root", str(FEEDS), "--port", str(port),
                             "--date", day.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            get(f"http://127.0.0.1:{port}/_clock")
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"feedreplay exited: {proc.stdout.read().decode() if proc.stdout else ''}") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("feedreplay did not start")


def load_replay_archive():  # type: ignore[no-untyped-def]
    """feedreplay's own snapshot index, to know which file it serves for a day (not how it is parsed)."""
    spec = importlib.util.spec_from_file_location("feedreplay", REPLAY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Archive(str(FEEDS))


def expected_uids(archive, base: str, days: list[dt.date]) -> tuple[set[str], set[tuple[str, str]], int]:  # type: ignore[no-untyped-def]
    uids: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    files: set[tuple[str, str]] = set()
    for path in archive.feeds:
        for day in days:
            snap = archive.snapshot(path, day)
            if snap:
                files.add((path, snap[1]))
    for path, file in sorted(files):
        feed_url = base + path
        parsed = feedparser.parse(Path(file).read_bytes())
        for entry in parsed.entries:
            title = plain_text(str(entry.get("title", "") or ""))
            if len(title) > MAX_TITLE_CHARS:
                title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
            uid = article_uid(canonical_url(str(entry.get("link", "") or "")), feed_url,
                              str(entry.get("id", "") or "").strip(), title)
            uids.add(uid)
            pairs.add((uid, feed_url))
    return uids, pairs, len(files)


def stored(engine) -> tuple[set[str], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        uids = set(conn.execute(select(db.articles.c.uid)).scalars())
        pairs = set((str(u), str(f)) for u, f in conn.execute(
            select(db.articles.c.uid, db.feeds.c.url)
            .join_from(db.sightings, db.articles, db.sightings.c.article_id == db.articles.c.id)
            .join(db.feeds, db.sightings.c.feed_id == db.feeds.c.id)
        ))
    return uids, pairs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--start", default="2022-02-01")
    ap.add_argument("--end", default="2022-02-28")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--extract", action="store_true", help="also extract mentions after each poll (slower)")
    ap.add_argument("--per-host", type=int, default=2, help="concurrent requests per host (every replayed feed is on 127.0.0.1)")
    args = ap.parse_args()
    if not REPLAY.exists():
        print(f"needs {REPLAY}", file=sys.stderr)
        return 2
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(fetch_workers=args.workers, fetch_timeout_s=5, run_deadline_s=300)
    failures: list[str] = []
    proc = start_replay(port, start)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.make_engine(Path(tmp) / "replay.sqlite")
            opml = get(f"{base}/feeds.opml")
            report = import_opml(engine, opml)
            print(f"OPML: {len(report.added)} feeds added, {len(report.skipped_existing)} duplicates, "
                  f"{len(report.invalid)} invalid")
            if report.invalid or not report.added:
                failures.append(f"OPML import not clean: {report.invalid}")

            statuses: Counter[str] = Counter()
            second_statuses: Counter[str] = Counter()
            n_polls = n_new_second = 0
            not_304: list[str] = []
            t0 = time.perf_counter()
            poll_seconds = 0.0
            for day in days:
                get(f"{base}/_clock?date={day.isoformat()}")
                t = time.perf_counter()
                first = ingest_once(engine, settings=settings, force=True, extract=args.extract, max_per_host=args.per_host)
                poll_seconds += time.perf_counter() - t
                n_polls += first.n_feeds
                statuses.update(str(r.status) if r.ok else f"{r.error_class}({r.status})" for r in first.results)
                answered = {r.feed_url for r in first.results if r.ok}
                second = ingest_once(engine, settings=settings, force=True, extract=args.extract, max_per_host=args.per_host)
                n_polls += second.n_feeds
                second_statuses.update(str(r.status) if r.ok else f"{r.error_class}({r.status})" for r in second.results)
                n_new_second += second.n_new + second.n_updated
                not_304 += [f"{day} {r.feed_url} {r.status}" for r in second.results
                            if r.feed_url in answered and not r.not_modified]
            seconds = time.perf_counter() - t0

            archive = load_replay_archive()
            want, want_pairs, n_files = expected_uids(archive, base, days)
            have, have_pairs = stored(engine)
            with engine.connect() as conn:
                n_log = int(conn.execute(select(func.count()).select_from(db.fetch_log)).scalar() or 0)
            print(f"days {start}..{end}: {len(days)} days, {len(list_feeds(engine))} feeds, {n_polls} polls "
                  f"({n_log} fetch_log rows) in {seconds:.1f}s ({poll_seconds:.1f}s in the first polls)")
            print(f"first poll of each day: {dict(sorted(statuses.items()))}")
            print(f"second poll, same day:  {dict(sorted(second_statuses.items()))}; new/updated items: {n_new_second}")
            print(f"expected: {len(want)} distinct items from {n_files} snapshot files; stored: {len(have)} articles; "
                  f"missing {len(want - have)}, unexpected {len(have - want)}")
            print(f"sightings (article, feed): expected {len(want_pairs)}, stored {len(have_pairs)}")
            if n_log != n_polls:
                failures.append(f"fetch_log rows {n_log} != polls {n_polls}")
            if want != have:
                failures.append(f"archive differs: {len(want - have)} missing, {len(have - want)} unexpected")
            if want_pairs != have_pairs:
                failures.append(f"sightings differ: {len(want_pairs - have_pairs)} missing, {len(have_pairs - want_pairs)} unexpected")
            if n_new_second or not_304:
                failures.append(f"second poll stored {n_new_second} items; {len(not_304)} non-304 answers: {not_304[:5]}")
            engine.dispose()

        with tempfile.TemporaryDirectory() as tmp:
            engine = db.make_engine(Path(tmp) / "faults.sqlite")
            for name in FAULTS:
                add_feed(engine, f"{base}/_faults/{name}", name=name.split(".")[0])
            fault_settings = Settings(fetch_workers=args.workers, fetch_timeout_s=5, run_deadline_s=60)
            t = time.perf_counter()
            report_f = ingest_once(engine, settings=fault_settings, extract=False, max_per_host=args.per_host)
            print(f"\nfault endpoints, one run: {report_f.n_feeds} feeds in {time.perf_counter() - t:.1f}s "
                  f"({report_f.n_ok} ok, {report_f.n_failed} failed)")
            print("| endpoint | status | outcome | items | reason |\n| --- | --- | --- | ---: | --- |")
            for r in sorted(report_f.results, key=lambda r: r.feed_url):
                outcome = r.error_class or ("not modified" if r.not_modified else "ok")
                print(f"| {r.feed_url.split('/_faults/')[1]} | {r.status or '-'} | {outcome} | {r.n_new} | {r.error[:90]} |")
            engine.dispose()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
