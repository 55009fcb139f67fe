"""The living archive: a background poller per server process, and the status line every page shows.

One `Poller` per Streamlit server process (held by `st.cache_resource`) owns one daemon worker
thread. The thread runs jobs one at a time from a queue: scheduled polls every
`Settings.poll_minutes` (0 = no schedule), a first poll after seeding the default feeds when the
archive is empty, and backfills from a folder that the user asked for. Pages never wait on it:
they read a snapshot of its status (`poller_status()`), which the worker updates under a lock.

Writes go through the ingestion and extraction functions, which use `loaders.db.write_tx`
(BEGIN IMMEDIATE + busy_timeout): a separately started `python -m sitroom ingest --every 15m`
on the same archive queues behind the poller instead of failing with "database is locked".

`render_archive_status()` is called by the shared page frame on every page. It is compact when
the archive is healthy ("last poll 3 min ago · 41/43 feeds ok"), shows progress while a job runs
(a fragment that reruns every 2 s and reruns the page when new articles arrived, so charts fill
in), and on an empty archive says why it is empty, which feeds failed and why, and offers to
import a folder of archived feed files.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine, text

from loaders import db
from loaders.queries import MAX_FAILURES_SHOWN, ArchiveHealth, read_archive_health
from sitroom.settings import Settings

log = logging.getLogger(__name__)

LIVE_REFRESH_S = 2.0  # how often the status fragment refreshes while a job runs
PAGE_RERUN_MIN_S = 8.0  # while new articles arrive, rerun the whole page at most this often


# --- status --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeedFailure:
    url: str
    error_class: str
    message: str


@dataclass(frozen=True, slots=True)
class PollerStatus:
    """A consistent snapshot of what the worker is doing and did last."""

    poll_minutes: int  # 0 = no schedule (jobs still run on request)
    job: str = ""  # "" idle, "poll", "backfill"
    job_started_at: dt.datetime | None = None
    done: int = 0  # feeds (poll) or files (backfill) processed in the current/last job
    total: int = 0
    n_new: int = 0  # new articles in the current/last job
    n_failed: int = 0
    failures: tuple[FeedFailure, ...] = ()  # of the current/last poll
    message: str = ""  # a human sentence about the current/last job
    last_job: str = ""
    last_job_finished_at: dt.datetime | None = None
    last_poll_finished_at: dt.datetime | None = None
    next_poll_at: dt.datetime | None = None
    error: str = ""  # the exception the last job died of ("" when it finished)
    seeded: bool = False  # the default feeds were seeded by this process
    generation: int = 0  # bumped each time a job wrote articles: cache key for "the archive changed"

    @property
    def enabled(self) -> bool:
        return self.poll_minutes > 0

    @property
    def busy(self) -> bool:
        return bool(self.job)


# --- the worker ------------------------------------------------------------------------------

IngestFn = Callable[..., Any]  # ingest_once(engine, *, force=False, on_result=cb) -> IngestReport
ExtractFn = Callable[..., Any]  # extract_pending(engine, *, matcher=None)
BackfillFn = Callable[..., Any]  # backfill(engine, root, ...)
SeedFn = Callable[[Engine], Any]

_STOP = object()


def _default_ingest() -> IngestFn:
    from loaders.ingest import ingest_once

    return ingest_once


def _default_extract() -> ExtractFn | None:
    try:
        from loaders.extract import extract_pending
    except ImportError:  # extraction not installed: articles still arrive, mentions come later
        return None
    return extract_pending


def gazetteer_signature() -> tuple[tuple[str, int, int], ...] | None:
    """(path, mtime_ns, size) of every gazetteer file and the user file: a few stat calls, so the
    poller can tell before each poll whether its matcher is still current without reading and
    hashing the files (`read_gazetteer().version`). None when the gazetteer module is absent."""
    try:
        from loaders.gazetteer_files import DATA_DIR, user_file_path
    except ImportError:
        return None
    paths = [*sorted(p for p in Path(DATA_DIR).glob("*") if p.is_file()), user_file_path()]
    out = []
    for path in paths:
        try:
            st_ = path.stat()
        except OSError:
            continue
        out.append((str(path), st_.st_mtime_ns, st_.st_size))
    return tuple(out)


def _default_load_matcher() -> Callable[[], Any] | None:
    try:
        from loaders.extract import load_matcher
    except ImportError:  # extraction not installed
        return None
    return load_matcher


def _default_backfill() -> BackfillFn:
    from loaders.backfill import backfill

    return backfill


def _default_seed() -> SeedFn:
    from loaders.feeds import ensure_default_feeds

    return ensure_default_feeds


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class Poller:
    """A daemon worker thread running ingestion jobs one at a time, with a locked status.

    The functions it calls are injectable (tests pass the real ones explicitly or leave the
    defaults); they are imported lazily so that a page renders even while a loader is missing.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        poll_minutes: int,
        ingest: IngestFn | None = None,
        settings: Settings | None = None,
        extract: ExtractFn | bool | None = True,
        backfill: BackfillFn | None = None,
        seed: SeedFn | None = None,
        load_matcher: Callable[[], Any] | None = None,
    ) -> None:
        self.engine = engine
        self.poll_minutes = max(0, int(poll_minutes))
        self.settings = settings
        self._ingest = ingest
        self._extract = extract
        self._backfill = backfill
        self._seed = seed
        self._load_matcher = load_matcher
        self._matcher: Any = None  # kept across polls; reloaded when the gazetteer files change
        self._matcher_signature: Any = None
        self.matcher_loads = 0  # how many times the matcher was built (tests, diagnostics)
        self._lock = threading.Lock()
        self._status = PollerStatus(poll_minutes=self.poll_minutes)
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._pending: set[str] = set()  # job kinds queued or running, to drop duplicates
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._invalidated_generation = 0

    # ---- control ----
    def start(self) -> Poller:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sitroom-poller", daemon=True)
            self._thread.start()
            if self.poll_minutes:
                self._set(next_poll_at=db.utcnow())
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        self._jobs.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request_poll(self, *, seed: bool = False, force: bool = False) -> bool:
        """Queue a poll (after seeding the default feeds if `seed`); False if one is already queued."""
        return self._enqueue("poll", ("poll", seed, force))

    def request_backfill(self, root: str | Path) -> bool:
        return self._enqueue("backfill", ("backfill", str(root)))

    def status(self) -> PollerStatus:
        with self._lock:
            return self._status

    def queued(self) -> bool:
        """True while a job is queued or running (a requested poll is queued before it is busy)."""
        with self._lock:
            return bool(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running (for tests and scripts); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.05)
        return False

    def claim_invalidation(self, generation: int) -> bool:
        """True exactly once per new generation: the caller then clears the query caches."""
        with self._lock:
            if generation > self._invalidated_generation:
                self._invalidated_generation = generation
                return True
            return False

    # ---- internals ----
    def _enqueue(self, kind: str, job: tuple[Any, ...]) -> bool:
        with self._lock:
            if kind in self._pending:
                return False
            self._pending.add(kind)
        self._jobs.put(job)
        return True

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def _run(self) -> None:
        interval = self.poll_minutes * 60.0
        next_at = time.monotonic() if interval else None
        while not self._stop.is_set():
            timeout = None if next_at is None else max(0.0, next_at - time.monotonic())
            try:
                job = self._jobs.get(timeout=timeout)
            except queue.Empty:
                if not self._enqueue("poll", ("poll", False, False)):
                    next_at = time.monotonic() + interval
                    continue
                job = self._jobs.get()
            if job is _STOP:
                break
            kind = job[0]
            try:
                if kind == "poll":
                    self._do_poll(seed=job[1], force=job[2])
                elif kind == "backfill":
                    self._do_backfill(job[1])
            except Exception as exc:  # a job never kills the worker; the status says what happened
                log.exception("sitroom poller: %s job failed", kind)
                self._set(error=f"{type(exc).__name__}: {exc}", message=f"{kind} failed: {exc}")
                log.debug("%s", traceback.format_exc())
            finally:
                now = db.utcnow()
                with self._lock:
                    self._pending.discard(kind)
                    last_poll = now if kind == "poll" else self._status.last_poll_finished_at
                    self._status = replace(self._status, job="", last_job=kind, last_job_finished_at=now,
                                           last_poll_finished_at=last_poll)
            if kind == "poll" and interval:
                next_at = time.monotonic() + interval
                self._set(next_poll_at=db.utcnow() + dt.timedelta(seconds=interval))

    def _begin(self, kind: str, message: str) -> None:
        self._set(job=kind, job_started_at=db.utcnow(), done=0, total=0, n_new=0, n_failed=0,
                  failures=(), message=message, error="")

    def _wrote(self, n_new: int) -> None:
        with self._lock:
            self._status = replace(self._status, generation=self._status.generation + (1 if n_new else 0))

    def _do_poll(self, *, seed: bool, force: bool) -> None:
        self._begin("poll", "Polling feeds…")
        if seed or self._no_feeds():  # first start: subscribe to the default feeds
            (self._seed or _default_seed())(self.engine)
            self._set(seeded=True)
        ingest = self._ingest or _default_ingest()
        failures: list[FeedFailure] = []

        def on_result(result: Any, done: int, total: int) -> None:
            n_new = int(getattr(result, "n_new", 0) or 0)
            if getattr(result, "error_class", ""):
                failures.append(FeedFailure(
                    str(getattr(result, "feed_url", "")), str(result.error_class), str(getattr(result, "error", ""))
                ))
            with self._lock:
                s = self._status
                self._status = replace(
                    s, done=done, total=total, n_new=s.n_new + n_new, n_failed=len(failures),
                    failures=tuple(failures[:MAX_FAILURES_SHOWN]),
                    message=f"Polling feeds: {done}/{total}",
                    generation=s.generation + (1 if n_new else 0),
                )

        kwargs: dict[str, Any] = {"on_result": on_result} if _accepts(ingest, "on_result") else {}
        if force:
            kwargs["force"] = True
        if self.settings is not None and _accepts(ingest, "settings"):
            kwargs["settings"] = self.settings
        if _accepts(ingest, "matcher"):
            kwargs["matcher"] = self.current_matcher()
        report = ingest(self.engine, **kwargs)
        if not _accepts(ingest, "extract"):  # ingest_once extracts by itself when it can
            self._extract_pending()
        elif getattr(report, "n_extracted", None):
            self._wrote(1)
        s = self.status()
        self._set(message=f"Last poll: {s.done - s.n_failed}/{s.total} feeds ok, {s.n_new} new articles")

    def current_matcher(self) -> Any:
        """The matcher of the current gazetteer, built once and rebuilt only when a gazetteer file
        changed (stat signature): building it reads and compiles every file (~0.3 s per poll
        otherwise). None if it cannot be built: extraction then loads (and reports) on its own."""
        signature = gazetteer_signature()
        if self._matcher is not None and signature == self._matcher_signature:
            return self._matcher
        loader = self._load_matcher or _default_load_matcher()
        if loader is None:
            return None
        try:
            matcher = loader()
        except Exception:  # a broken user file must not stop polling; extract_pending will say why
            log.exception("sitroom poller: loading the gazetteer failed")
            return None
        self._matcher, self._matcher_signature = matcher, signature
        self.matcher_loads += 1
        return matcher

    def _no_feeds(self) -> bool:
        with self.engine.connect() as conn:
            return not conn.execute(text("SELECT EXISTS (SELECT 1 FROM feeds)")).scalar()

    def _extract_pending(self) -> None:
        extract = _default_extract() if self._extract is True else self._extract
        if callable(extract):
            self._set(message="Finding entities in new articles…")
            if _accepts(extract, "matcher"):
                extract(self.engine, matcher=self.current_matcher())
            else:
                extract(self.engine)
            self._wrote(1)

    def _do_backfill(self, root: str) -> None:
        self._begin("backfill", f"Importing {root}…")
        backfill = self._backfill or _default_backfill()
        kwargs: dict[str, Any] = {}
        if _accepts(backfill, "progress"):
            kwargs["progress"] = False  # no tqdm bar on the server's stderr
        if _accepts(backfill, "workers"):
            # no process pool forked from the threaded server process (fork + threads can deadlock,
            # and each child would copy the server's memory); the CLI is the tool for big imports
            kwargs["workers"] = 1
        for name in ("on_progress", "on_file", "on_result"):
            if _accepts(backfill, name):

                def progress(*args: Any, **_kw: Any) -> None:
                    done, total = _progress_numbers(args)
                    n_new = _new_articles(args)
                    with self._lock:
                        s = self._status
                        self._status = replace(
                            s, done=done if done is not None else s.done + 1,
                            total=total if total is not None else s.total, n_new=s.n_new + n_new,
                            generation=s.generation + (1 if n_new else 0),
                        )

                kwargs[name] = progress
                break
        report = backfill(self.engine, Path(root), **kwargs)
        n_new = _report_number(report, "n_new") or 0
        n_files = _report_number(report, "n_files")
        errors = getattr(report, "errors", ()) or ()
        self._set(n_new=max(n_new, self.status().n_new), n_failed=len(errors),
                  done=n_files if n_files is not None else self.status().done,
                  total=n_files if n_files is not None else self.status().total,
                  failures=tuple(FeedFailure(str(e[0]), str(e[1]), str(e[2])) for e in errors[:MAX_FAILURES_SHOWN]))
        if not _accepts(backfill, "extract"):
            self._extract_pending()
        self._wrote(n_new)
        self._set(message=f"Imported {root}: {n_new:,} new articles from {n_files or 0:,} files"
                          + (f", {len(errors)} files failed" if errors else ""))


def _progress_numbers(args: tuple[Any, ...]) -> tuple[int | None, int | None]:
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if len(ints) >= 2:
        return ints[-2], ints[-1]
    return None, None


def _new_articles(args: tuple[Any, ...]) -> int:
    for a in args:
        value = _report_number(a, "n_new", "articles_new")
        if value is not None:
            return value
    return 0


def _report_number(obj: Any, *names: str) -> int | None:
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def plural(n: int, noun: str) -> str:
    """'1 article', '2,504 articles'."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def ago(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'just now', '3 min ago', '2 h ago', '4 days ago'; 'never' for None."""
    if when is None:
        return "never"
    seconds = ((now or db.utcnow()) - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


# --- Streamlit side -----------------------------------------------------------------------------

def _settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _process_poller(db_url: str, settings: Settings) -> Poller:
    engine = db.make_engine(db_url)
    return Poller(engine, poll_minutes=settings.poll_minutes, settings=settings).start()


def get_poller() -> Poller:
    """This server process's poller (started on first use)."""
    settings = _settings()
    return _process_poller(db.resolve_db_url(settings.db or None), settings)


def poller_status() -> PollerStatus:
    """A snapshot of the background poller, for the status line and the Sources page."""
    return get_poller().status()


def archive_generation() -> int:
    """Bumped each time the poller wrote articles: add it to query cache keys if useful."""
    return poller_status().generation


@st.cache_data(ttl=30, show_spinner=False)
def _cached_health(db_url: str, generation: int, last_job_at: dt.datetime | None) -> ArchiveHealth:
    return read_archive_health(get_poller().engine)


def _health(poller: Poller, status: PollerStatus) -> ArchiveHealth:
    # keyed on what the poller did, so a finished job (even one that stored nothing) shows at once;
    # the TTL catches writes by a separate `ingest --every` process
    return _cached_health(str(poller.engine.url), status.generation, status.last_job_finished_at)


def _invalidate_if_new_data(poller: Poller, status: PollerStatus) -> bool:
    if poller.claim_invalidation(status.generation):
        st.cache_data.clear()
        return True
    return False


def render_archive_status() -> None:
    """The archive status line of every page (see the module docstring)."""
    poller = get_poller()
    status = poller.status()
    if not status.busy and _invalidate_if_new_data(poller, status):
        # the page above this line read the archive through caches that are now stale
        st.rerun()
    health = _health(poller, status)
    if health.empty and not status.busy and status.enabled and not status.seeded and status.last_job != "poll":
        poller.request_poll(seed=True)
        status = poller.status()
    if status.busy or poller.queued() or (health.empty and poller.status().busy):
        _live_status()
    else:
        _render_idle(poller, status, health)


@st.fragment(run_every=LIVE_REFRESH_S)
def _live_status() -> None:
    poller = get_poller()
    status = poller.status()
    if not status.busy and not poller.queued():
        _invalidate_if_new_data(poller, status)
        st.rerun(scope="app")  # the job ended: redraw the page with the final data and the idle line
    what = "Polling feeds" if status.job == "poll" else "Importing archived feeds"
    if status.job == "backfill" and not status.total:
        n = read_archive_health(poller.engine).n_articles
        st.progress(0.0, text=f"{status.message} {n:,} articles in the archive so far")
        seen = st.session_state.get("_sitroom_seen_articles", 0)
        last = st.session_state.get("_sitroom_page_rerun_at", 0.0)
        if n > seen and time.monotonic() - last > PAGE_RERUN_MIN_S:
            st.session_state["_sitroom_seen_articles"] = n
            st.session_state["_sitroom_page_rerun_at"] = time.monotonic()
            st.cache_data.clear()
            st.rerun(scope="app")  # the import has no progress callback: follow the archive's size
        return
    elif status.total:
        noun = "feeds" if status.job == "poll" else "files"
        st.progress(
            min(1.0, status.done / status.total),
            text=f"{what}: {status.done}/{status.total} {noun} · {status.n_new:,} new articles · "
                 f"{status.n_failed} failed",
        )
    else:
        st.progress(0.0, text=f"{what}… {status.message}")
    last = st.session_state.get("_sitroom_page_rerun_at", 0.0)
    if status.generation and time.monotonic() - last > PAGE_RERUN_MIN_S and poller.claim_invalidation(status.generation):
        st.session_state["_sitroom_page_rerun_at"] = time.monotonic()
        st.cache_data.clear()
        st.rerun(scope="app")  # new articles: let the charts fill in


def _render_idle(poller: Poller, status: PollerStatus, health: ArchiveHealth) -> None:
    if status.error:
        st.error(f"The last {status.last_job or 'job'} failed: {status.error}")
    elif status.last_job == "backfill" and status.message:
        st.success(status.message)
    if health.empty:
        _render_empty(poller, status, health)
        return
    parts = [plural(health.n_articles, "article")]
    if status.enabled:
        parts.append(f"last poll {ago(health.last_fetch_at)}")
    else:
        parts.append(f"last fetch {ago(health.last_fetch_at)} · polling off")
    if health.n_feeds and health.last_fetch_at is None:
        parts.append(f"{plural(health.n_feeds, 'feed')}, none polled yet")  # e.g. an archive made by backfill
    elif health.n_feeds:
        parts.append(f"{health.n_feeds_ok}/{health.n_feeds} feeds ok")
    if health.n_pending_extraction:
        # Mentions are made after articles are stored, and again for every article when the
        # gazetteer changes: until then the days of those articles count with the old version.
        parts.append(f"{plural(health.n_pending_extraction, 'article')} awaiting entity extraction "
                     "(their days' counts are provisional)")
    st.caption("Archive: " + " · ".join(parts))
    if health.n_feeds_failing:
        with st.expander(f"{plural(health.n_feeds_failing, 'feed')} failing"):
            _render_failures(health)


def _render_failures(health: ArchiveHealth) -> None:
    lines = [f"- **{name}** `{cls}`: {msg or url}" for name, url, cls, msg in health.failing]
    st.markdown("\n".join(lines))


def _render_empty(poller: Poller, status: PollerStatus, health: ArchiveHealth) -> None:
    if not status.enabled:
        st.info("The archive is empty and background polling is off (`SITROOM_POLL_MINUTES=0`).")
        if st.button("Subscribe to the default feeds and poll them now", key="sitroom_poll_now"):
            poller.request_poll(seed=True)
            st.rerun()
    elif health.n_feeds_failing or status.n_failed:
        n = max(health.n_feeds_failing, status.n_failed)
        st.warning(
            f"The archive is empty: {n} of {max(health.n_feeds, status.total)} feeds failed on the last poll "
            "(no network?). Next poll " + (f"at {status.next_poll_at:%H:%M} UTC." if status.next_poll_at else "soon.")
        )
        if health.failing:
            _render_failures(health)
        else:
            st.markdown("\n".join(f"- `{f.error_class}` {f.url}: {f.message}" for f in status.failures))
    else:
        st.info("The archive is empty. The first poll is about to start.")
    _render_backfill_form(poller)


def _render_backfill_form(poller: Poller) -> None:
    st.markdown("Or import a folder of archived RSS/Atom files:")
    path = st.text_input("Folder of archived feed files", key="sitroom_backfill_path",
                         placeholder="/path/to/feeds")
    if st.button("Import folder", key="sitroom_backfill_go"):
        folder = Path(path).expanduser()
        if not path or not folder.is_dir():
            st.error(f"Not a folder: {path or '(empty)'}")
        else:
            poller.request_backfill(folder)
            st.rerun()
