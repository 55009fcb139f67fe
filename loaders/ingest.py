"""Polling the subscribed feeds: fetch and parse concurrently, write serially, one result per feed.

    report = ingest_once(engine)             # every enabled feed that is due
    report = ingest_once(engine, force=True) # every enabled feed, now

Shape of a run (decisions and figures in docs/design/ingestion-network.md):
- Workers (`Settings.fetch_workers` threads, one shared httpx.Client) each fetch one feed and
  parse its bytes (`parse_feed_bytes`), returning a `FetchResult` with the entries.
- The calling thread is the only writer: for each finished feed it opens one `write_tx`
  transaction that stores the entries, updates the feed's row and appends a `fetch_log` row.
  A crash loses at most the feed being written; SQLite sees one writer per process.
- One bad feed never stops the run: every failure becomes that feed's `FetchResult` with a
  stable `error_class`, counted in `feeds.error_counts`.
- The run has a deadline (`Settings.run_deadline_s`): feeds not finished by then are recorded
  as `timeout` ("run deadline"); fetches in flight see the same deadline and give up.
- Scheduling lives in `feeds.next_fetch_at`: after a success, now + poll interval; after a
  failure, an exponential back-off on consecutive failures (capped), and never earlier than
  the server's Retry-After (itself capped so that a hostile header cannot silence a feed).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from loaders import db
from loaders.errors import FeedError, FetchTimeout
from loaders.fetch import fetch_feed, make_client
from sitroom.records import FetchResult
from sitroom.settings import Settings

if TYPE_CHECKING:
    from sitroom.matching import Matcher

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=12)
MAX_RETRY_AFTER = dt.timedelta(hours=24)
MAX_ERROR_CHARS = 1000
MAX_PER_HOST = 2  # concurrent requests to one host name in a run

OnResult = Callable[[FetchResult, int, int], None]


@dataclass(frozen=True, slots=True)
class DueFeed:
    """The part of a feeds row a worker needs."""

    id: int
    url: str
    language: str
    etag: str
    last_modified: str
    poll_minutes: int
    consecutive_failures: int


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one polling run did: one result per polled feed (entries dropped), and totals."""

    results: tuple[FetchResult, ...]
    n_skipped: int  # enabled feeds not due yet (not polled)
    seconds: float
    n_extracted: int | None = None  # articles given mentions afterwards; None when extraction is absent

    @property
    def n_feeds(self) -> int:
        return len(self.results)

    @property
    def n_ok(self) -> int:
        return sum(1 for r in self.results if r.ok and not r.not_modified)

    @property
    def n_not_modified(self) -> int:
        return sum(1 for r in self.results if r.ok and r.not_modified)

    @property
    def n_failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)

    @property
    def failures_by_class(self) -> dict[str, int]:
        return dict(Counter(r.error_class for r in self.results if not r.ok).most_common())

    @property
    def n_new(self) -> int:
        return sum(r.n_new for r in self.results)

    @property
    def n_updated(self) -> int:
        return sum(r.n_updated for r in self.results)


# --- scheduling ---------------------------------------------------------------------------

def backoff_delay(poll_minutes: int, consecutive_failures: int) -> dt.timedelta:
    """Wait after the n-th failure in a row: poll interval x 2^(n-1), capped at MAX_BACKOFF."""
    n = max(1, consecutive_failures)
    minutes = max(1, poll_minutes) * (2 ** min(n - 1, 20))
    return min(dt.timedelta(minutes=minutes), MAX_BACKOFF)


def next_fetch_time(feed: DueFeed, result: FetchResult, now: dt.datetime) -> dt.datetime:
    if result.ok:
        return now + dt.timedelta(minutes=max(1, feed.poll_minutes))
    wait = backoff_delay(feed.poll_minutes, feed.consecutive_failures + 1)
    if result.retry_after_s is not None:
        wait = max(wait, min(dt.timedelta(seconds=result.retry_after_s), MAX_RETRY_AFTER))
    return now + wait


def select_feeds(
    engine: Engine, *, urls: Sequence[str] | None = None, force: bool = False, now: dt.datetime | None = None,
) -> tuple[list[DueFeed], int]:
    """The feeds to poll and how many enabled feeds were skipped as not due.

    Without `urls`: enabled feeds whose `next_fetch_at` has passed (all enabled ones with
    `force`). With `urls`: those feeds (disabled ones too: they were named), due or forced.
    """
    from loaders.feeds import FeedListError

    now = now or db.utcnow()
    f = db.feeds
    cols = (f.c.id, f.c.url, f.c.language, f.c.etag, f.c.last_modified, f.c.poll_minutes,
            f.c.consecutive_failures, f.c.next_fetch_at)
    with engine.connect() as conn:
        if urls:
            wanted = [u.strip() for u in urls]
            rows = conn.execute(select(*cols).where(f.c.url.in_(wanted))).all()
            missing = sorted(set(wanted) - {r.url for r in rows})
            if missing:
                raise FeedListError(f"not subscribed: {', '.join(missing)} (add with `feeds add URL`)")
        else:
            rows = conn.execute(select(*cols).where(f.c.enabled.is_(True)).order_by(f.c.id)).all()
    due, skipped = [], 0
    for r in rows:
        if not force and r.next_fetch_at is not None and r.next_fetch_at > now:
            skipped += 1
            continue
        due.append(DueFeed(int(r.id), r.url, r.language or "", r.etag or "", r.last_modified or "",
                           int(r.poll_minutes or 15), int(r.consecutive_failures or 0)))
    return due, skipped


# --- one feed, in a worker thread ---------------------------------------------------------

def _clip(message: str) -> str:
    message = " ".join(str(message).split())
    return message if len(message) <= MAX_ERROR_CHARS else message[: MAX_ERROR_CHARS - 1] + "…"


def poll_feed(client: httpx.Client, feed: DueFeed, *, settings: Settings, deadline: float) -> FetchResult:
    """Fetch and parse one feed; never raises for a feed problem (the result says what failed)."""
    from loaders.parse import parse_feed_bytes

    started = db.utcnow()
    status: int | None = None
    n_bytes = 0
    try:
        response = fetch_feed(client, feed.url, etag=feed.etag, last_modified=feed.last_modified,
                              max_bytes=settings.max_feed_bytes, deadline=deadline)
        status, n_bytes = response.status, response.n_bytes
        moved = f"moved permanently to {response.moved_to}: update the subscription" if response.moved_to else ""
        if response.not_modified:
            return FetchResult(feed_url=feed.url, started=started, finished=db.utcnow(), status=304,
                               not_modified=True, etag=response.etag, last_modified=response.last_modified,
                               error=moved)
        parsed = parse_feed_bytes(response.body, feed_url=feed.url, feed_language=feed.language,
                                  fetched_at=started)
        # A successful poll keeps what the parser recovered from in `error` (error_class stays
        # ""), so the fetch log says why a truncated or mis-encoded feed gave fewer items.
        return FetchResult(feed_url=feed.url, started=started, finished=db.utcnow(), status=status,
                           n_bytes=n_bytes, etag=response.etag, last_modified=response.last_modified,
                           entries=parsed.entries, error=_clip("; ".join(n for n in (moved, *parsed.warnings) if n)))
    except FeedError as exc:
        return FetchResult(feed_url=feed.url, started=started, finished=db.utcnow(),
                           status=getattr(exc, "status", status), n_bytes=n_bytes, error_class=exc.error_class,
                           error=_clip(exc.message), retry_after_s=getattr(exc, "retry_after_s", None))
    except Exception as exc:  # a bug or an unforeseen library error: still one feed's result
        log.exception("polling %s failed unexpectedly", feed.url)
        return FetchResult(feed_url=feed.url, started=started, finished=db.utcnow(), status=status,
                           n_bytes=n_bytes, error_class="error", error=_clip(f"{type(exc).__name__}: {exc}"))


# --- writing, in the calling thread -------------------------------------------------------

def _error_counts(raw: str, error_class: str) -> str:
    try:
        counts = json.loads(raw or "{}")
        if not isinstance(counts, dict):
            counts = {}
    except ValueError:
        counts = {}
    counts[error_class] = int(counts.get(error_class, 0)) + 1
    return json.dumps(counts, sort_keys=True)


def write_result(engine: Engine, feed: DueFeed, result: FetchResult) -> FetchResult:
    """Store one poll in one transaction: entries, the feed's state, a fetch_log row.

    Returns the result with its new/updated counts (and without entries). If storing the
    entries fails, the poll is recorded as a `store` failure in a second transaction.
    """
    from loaders.store import write_entries

    try:
        with db.write_tx(engine) as conn:
            if result.ok and result.entries:
                written = write_entries(conn, feed.id, result.entries, seen_at=result.finished)
                result = dataclasses.replace(result, n_new=written.n_new, n_updated=written.n_updated)
            _record(conn, feed, result)
    except Exception as exc:
        log.exception("storing the poll of %s failed", feed.url)
        result = dataclasses.replace(result, n_new=0, n_updated=0, error_class="store",
                                     error=_clip(f"{type(exc).__name__}: {exc}"))
        with db.write_tx(engine) as conn:
            _record(conn, feed, result)
    return dataclasses.replace(result, entries=())


def _record(conn: Connection, feed: DueFeed, result: FetchResult) -> None:
    f = db.feeds
    now = result.finished
    values: dict[str, object] = {"last_fetch_at": now, "next_fetch_at": next_fetch_time(feed, result, now)}
    if result.ok:
        values.update(last_success_at=now, consecutive_failures=0, etag=result.etag[:512],
                      last_modified=result.last_modified[:128])
    else:
        raw = conn.execute(select(f.c.error_counts).where(f.c.id == feed.id)).scalar()
        values.update(
            last_error_at=now, last_error_class=result.error_class, last_error=result.error,
            consecutive_failures=f.c.consecutive_failures + 1, error_counts=_error_counts(raw or "{}", result.error_class),
        )
    conn.execute(f.update().where(f.c.id == feed.id).values(**values))
    conn.execute(db.fetch_log.insert().values(
        feed_id=feed.id, started_at=result.started, finished_at=result.finished, status=result.status,
        bytes=result.n_bytes, not_modified=result.not_modified, n_new=result.n_new, n_updated=result.n_updated,
        error_class=result.error_class, error_message=result.error,
    ))


# --- the run ------------------------------------------------------------------------------

def _run_extraction(engine: Engine, matcher: Matcher | None = None) -> int | None:
    try:
        from loaders.extract import extract_pending
    except ImportError:
        return None
    try:
        return int(extract_pending(engine, matcher=matcher))
    except Exception:  # extraction problems must not turn a good poll into a failed run
        log.exception("extracting mentions after ingest failed")
        return None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def interleave_by_host(feeds: Sequence[DueFeed]) -> list[DueFeed]:
    """Round-robin over hosts (first-seen order), so one publisher's feeds are not fetched back to back."""
    groups: dict[str, list[DueFeed]] = {}
    for feed in feeds:
        groups.setdefault(host_of(feed.url), []).append(feed)
    out: list[DueFeed] = []
    queues = [list(reversed(g)) for g in groups.values()]
    while queues:
        for q in queues:
            out.append(q.pop())
        queues = [q for q in queues if q]
    return out


def ingest_once(
    engine: Engine,
    *,
    settings: Settings | None = None,
    feeds: Iterable[str] | None = None,
    force: bool = False,
    on_result: OnResult | None = None,
    client: httpx.Client | None = None,
    extract: bool = True,
    max_per_host: int = MAX_PER_HOST,
    matcher: Matcher | None = None,
) -> IngestReport:
    """Poll the due feeds once (or the named `feeds`; all enabled ones with `force`).

    `matcher` (a `sitroom.matching.Matcher`) is handed to `extract_pending`; a long-lived caller
    (the dashboard's poller) passes one it keeps, instead of having the gazetteer files read and
    compiled again on every poll (~0.3 s). None: extraction loads the current one.

    `on_result(result, done, total)` is called in the calling thread after each feed is stored.
    `client` lets a caller share a configured httpx.Client; by default one is made per run.
    At most `max_per_host` requests run at once against one host name (politeness: the
    defaults hold five BBC and four Le Monde feeds); feeds waiting for their host do not hold
    a worker, the scheduler hands workers to other hosts meanwhile.
    """
    settings = settings or Settings.from_env()
    t0 = time.monotonic()
    deadline = t0 + settings.run_deadline_s
    todo, n_skipped = select_feeds(engine, urls=list(feeds) if feeds is not None else None, force=force)
    results: list[FetchResult] = []
    total = len(todo)

    def finish(feed: DueFeed, result: FetchResult) -> None:
        stored = write_result(engine, feed, result)
        results.append(stored)
        if on_result is not None:
            on_result(stored, len(results), total)

    if todo:
        own_client = client is None
        http = client or make_client(settings)
        workers = max(1, min(settings.fetch_workers, total))
        per_host = max(1, max_per_host)
        pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sitroom-fetch")
        queue = interleave_by_host(todo)
        running: dict[cf.Future[FetchResult], DueFeed] = {}
        busy: Counter[str] = Counter()

        def fill() -> None:
            i = 0
            while len(running) < workers and i < len(queue):
                host = host_of(queue[i].url)
                if busy[host] >= per_host:
                    i += 1
                    continue
                feed = queue.pop(i)
                busy[host] += 1
                running[pool.submit(poll_feed, http, feed, settings=settings, deadline=deadline)] = feed

        try:
            fill()
            while running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                done, _ = cf.wait(running, timeout=remaining, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    feed = running.pop(future)
                    busy[host_of(feed.url)] -= 1
                    finish(feed, future.result())
                fill()
            # Deadline. Feeds in flight see the same deadline inside fetch_feed and end within one
            # read, so waiting for them is bounded; feeds never started are recorded as timeouts.
            for future, feed in list(running.items()):
                finish(feed, future.result())
            for feed in queue:
                now = db.utcnow()
                finish(feed, FetchResult(feed_url=feed.url, started=now, finished=now, error_class=FetchTimeout.error_class,
                                         error=f"run deadline ({settings.run_deadline_s:g}s) reached before this feed was polled"))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if own_client:
                http.close()
    n_extracted = _run_extraction(engine, matcher) if extract and any(r.n_new or r.n_updated for r in results) else None
    return IngestReport(results=tuple(results), n_skipped=n_skipped, seconds=time.monotonic() - t0,
                        n_extracted=n_extracted)


def ingest_every(
    engine: Engine,
    minutes: float,
    *,
    stop: threading.Event | None = None,
    settings: Settings | None = None,
    on_result: OnResult | None = None,
    on_report: Callable[[IngestReport], None] | None = None,
    max_runs: int | None = None,
) -> int:
    """Run `ingest_once` every `minutes` until `stop` is set (or `max_runs` runs); the number of runs.

    The interval is measured start to start; a run longer than the interval is followed at once
    by the next. Each feed's own poll interval and back-off still decide whether it is polled.
    """
    if minutes <= 0:
        raise ValueError("the interval must be positive")
    stop = stop or threading.Event()
    runs = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            report = ingest_once(engine, settings=settings, on_result=on_result)
        except Exception:
            log.exception("polling run failed; trying again at the next interval")
        else:
            if on_report is not None:
                on_report(report)
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        stop.wait(max(0.0, minutes * 60 - (time.monotonic() - started)))
    return runs
