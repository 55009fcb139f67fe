"""Import a directory tree of archived RSS/Atom files into the archive: `backfill`.

    root/<outlet>/<series>/<name>_<capture time>.xml

- One folder = one feed. Its URL is the channel's `atom:link rel="self"`, else the channel
  `<link>` when it looks like a feed URL (rss/feed/atom/.xml/.rdf in its path: re-emitted
  archives put the source feed's URL there), read from the folder's first parsable file; else
  `backfill:<outlet>/<series>` (a site home page is shared by all of an outlet's feeds).
  If a feed with that URL is already archived (subscribed, or an earlier backfill), the files
  attach to it. Its name is the channel title (else the folder path); its language the
  channel's `<language>` (else "" and each item's language is detected).
- A file's capture time comes from its name (`_2022-03-05_18-34-00` Paris local time,
  `_2020-05-10T0753Z` UTC, `_2023-01-05` noon UTC), else its mtime. It is the items'
  first-seen time and stands in for a missing publication date. Dates are clamped to the real
  clock, not to the capture time: a daily list can carry items published after midnight.
- Parsing runs in a process pool (workers return normalised Entry tuples); writing runs in the
  main process, folder by folder in capture order, `FILES_PER_TX` files per transaction (one
  `write_snapshots` call per run of files of one feed), each transaction refreshing the day
  aggregates it touched. A run killed at any point leaves a
  consistent archive; re-running adds only what is missing.
- A file that cannot be parsed is recorded in `BackfillReport.errors`; the rest goes on.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from tqdm import tqdm

from loaders.db import feeds, refresh_daily, utcnow, write_tx
from loaders.errors import FeedError
from loaders.parse import ParsedFeed, parse_feed_bytes
from loaders.store import ensure_feed, write_snapshots
from sitroom.records import Entry

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
FILES_PER_TX = 200
FILES_PER_TASK = 16
TASKS_IN_FLIGHT_PER_WORKER = 4
PARIS = ZoneInfo("Europe/Paris")

_PARIS_STAMP = re.compile(r"_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})(?:_\d+)?$")
_UTC_STAMP = re.compile(r"_(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})?Z(?:_\d+)?$")
_DAY_STAMP = re.compile(r"_(\d{4})-(\d{2})-(\d{2})(?:_\d+)?$")
_FEEDISH = re.compile(r"^https?://[^/]+/.*(?:rss|feed|atom|\.xml|\.rdf)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What one backfill run did. `errors` holds (path, error_class, message) per failed file."""

    n_files: int
    n_items: int  # items parsed, every occurrence counted
    n_new: int  # articles added to the archive
    n_duplicates: int  # items already archived (earlier snapshot, another feed, or a previous run)
    errors: tuple[tuple[str, str, str], ...]
    seconds: float
    n_feeds: int = 0
    n_updated: int = 0
    n_extracted: int | None = None  # articles extract_pending processed; None if extraction was absent

    def summary(self) -> str:
        return (
            f"{self.n_files} files, {self.n_items} items: {self.n_new} new, {self.n_duplicates} already archived, "
            f"{self.n_updated} updated, {len(self.errors)} files failed, {self.seconds:.1f}s"
        )


def capture_time(path: Path) -> dt.datetime:
    """When the file was captured, from its name, else its modification time (UTC)."""
    stem = path.stem
    if m := _PARIS_STAMP.search(stem):
        y, mo, d, h, mi, s = map(int, m.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, s, tzinfo=PARIS).astimezone(dt.UTC)
        except ValueError:
            pass
    elif m := _UTC_STAMP.search(stem):
        y, mo, d, h, mi = map(int, m.groups()[:5])
        s = int(m.group(6) or 0)
        try:
            return dt.datetime(y, mo, d, h, mi, s, tzinfo=dt.UTC)
        except ValueError:
            pass
    elif m := _DAY_STAMP.search(stem):
        y, mo, d = map(int, m.groups())
        try:
            return dt.datetime(y, mo, d, 12, tzinfo=dt.UTC)
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def feed_files(root: Path) -> dict[Path, list[Path]]:
    """Feed documents under root, grouped by folder, each folder's files in capture order."""
    folders: dict[Path, list[Path]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        files = [Path(dirpath) / f for f in filenames if f.lower().endswith(FEED_SUFFIXES) and not f.startswith(".")]
        if files:
            folders[Path(dirpath)] = sorted(files, key=lambda p: (capture_time(p), p.name))
    return folders


@dataclass(frozen=True, slots=True)
class _FeedIdentity:
    url: str
    name: str
    language: str


def _identify(folder: Path, root: Path, files: Sequence[Path], now: dt.datetime) -> _FeedIdentity:
    rel = folder.relative_to(root).as_posix() if folder != root else folder.name
    for path in files[:20]:
        try:
            parsed = parse_feed_bytes(path.read_bytes(), feed_url="", feed_language="", fetched_at=now, now=now)
        except (FeedError, OSError):
            continue
        if parsed.self_link:
            url = parsed.self_link
        elif _FEEDISH.search(parsed.link):
            url = parsed.link
        else:  # a site home page is shared by all of an outlet's feeds: not an identity
            url = f"backfill:{rel}"
        return _FeedIdentity(url=url, name=parsed.title or rel, language=parsed.language)
    return _FeedIdentity(url=f"backfill:{rel}", name=rel, language="")


# (path, capture time, entries, error class, message): one per file, errors included.
_FileResult = tuple[str, dt.datetime, tuple[Entry, ...], str, str]


def _parse_files(task: tuple[str, str, Sequence[str], dt.datetime]) -> list[_FileResult]:
    """Worker: parse a few files of one feed. Never raises for a bad file: it reports it."""
    feed_url, language, paths, now = task
    out: list[_FileResult] = []
    for name in paths:
        path = Path(name)
        seen = now
        try:
            seen = capture_time(path)
            parsed: ParsedFeed = parse_feed_bytes(
                path.read_bytes(), feed_url=feed_url, feed_language=language, fetched_at=seen, now=now
            )
            out.append((name, seen, parsed.entries, "", ""))
        except FeedError as exc:
            out.append((name, seen, (), exc.error_class, exc.message))
        except OSError as exc:
            out.append((name, seen, (), "io", f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # a parser bug must not end the run; it is reported per file
            out.append((name, seen, (), "unexpected", f"{type(exc).__name__}: {exc}"))
    return out


def _tasks(
    folders: dict[Path, list[Path]], identities: dict[Path, tuple[int, _FeedIdentity, str]], now: dt.datetime
) -> Iterator[tuple[str, str, list[str], dt.datetime]]:
    for folder, files in folders.items():
        _, identity, language = identities[folder]
        for i in range(0, len(files), FILES_PER_TASK):
            yield identity.url, language, [str(p) for p in files[i : i + FILES_PER_TASK]], now


def _run_extraction(engine: Engine, progress: bool) -> int | None:
    try:
        from loaders.extract import extract_pending  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return int(extract_pending(engine, progress=progress))


def backfill(
    engine: Engine,
    root: Path,
    *,
    workers: int | None = None,
    progress: bool = True,
    extract: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> BackfillReport:
    """Import every feed document under `root`; see the module docstring for the rules.

    `workers=1` parses in this process (no pool: what a threaded server should use).
    `on_progress(files_done, n_files)` is called as files are parsed (e.g. by the dashboard).
    """
    started = time.perf_counter()
    root = Path(root)
    now = utcnow()
    folders = feed_files(root)
    n_files = sum(len(files) for files in folders.values())

    identities: dict[Path, tuple[int, _FeedIdentity, str]] = {}
    feed_task_of: dict[str, int] = {}
    with write_tx(engine) as conn:
        for folder, files in folders.items():
            identity = _identify(folder, root, files, now)
            feed_id = ensure_feed(conn, url=identity.url, name=identity.name, language=identity.language)
            configured = conn.execute(select(feeds.c.language).where(feeds.c.id == feed_id)).scalar() or ""
            identities[folder] = (feed_id, identity, str(configured))
            feed_task_of[identity.url] = feed_id

    errors: list[tuple[str, str, str]] = []
    n_items = n_new = n_updated = 0
    n_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    tasks = list(_tasks(folders, identities, now))
    bar = tqdm(total=n_files, unit="file", desc="backfill", disable=not progress, file=sys.stderr)

    def results() -> Iterator[list[_FileResult]]:
        if n_workers == 1:
            yield from map(_parse_files, tasks)
            return
        # A bounded window of tasks in flight, results in order: parsed entries never pile up
        # in memory when the writer is slower than the parsers (pool.map submits everything).
        window: collections.deque[Future[list[_FileResult]]] = collections.deque()
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            for task in tasks:
                window.append(pool.submit(_parse_files, task))
                if len(window) >= TASKS_IN_FLIGHT_PER_WORKER * n_workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()

    pending: list[tuple[int, _FileResult]] = []
    files_done = 0

    def flush() -> None:
        nonlocal n_new, n_updated
        if not pending:
            return
        days: set[str] = set()
        runs: list[tuple[int, list[tuple[dt.datetime, tuple[Entry, ...]]]]] = []
        for feed_id, (_, seen, entries, _, _) in pending:  # consecutive files of one feed: one write
            if not entries:
                continue
            if runs and runs[-1][0] == feed_id:
                runs[-1][1].append((seen, entries))
            else:
                runs.append((feed_id, [(seen, entries)]))
        with write_tx(engine) as conn:
            for feed_id, snapshots in runs:
                result = write_snapshots(conn, feed_id, snapshots, refresh=False)
                n_new += result.n_new
                n_updated += result.n_updated
                days |= result.days
            if days:
                refresh_daily(conn, days)
        pending.clear()

    try:
        for task, batch in zip(tasks, results(), strict=True):
            feed_id = feed_task_of[task[0]]
            for file_result in batch:
                path, _, entries, error_class, message = file_result
                n_items += len(entries)
                if error_class:
                    errors.append((path, error_class, message))
                pending.append((feed_id, file_result))
            bar.update(len(batch))
            files_done += len(batch)
            if on_progress is not None:
                on_progress(files_done, n_files)
            if len(pending) >= FILES_PER_TX:
                flush()
        flush()
    finally:
        bar.close()

    n_extracted = _run_extraction(engine, progress) if extract else None
    return BackfillReport(
        n_files=n_files,
        n_items=n_items,
        n_new=n_new,
        n_duplicates=n_items - n_new,
        errors=tuple(errors),
        seconds=time.perf_counter() - started,
        n_feeds=len({fid for fid, _, _ in identities.values()}),
        n_updated=n_updated,
        n_extracted=n_extracted,
    )
