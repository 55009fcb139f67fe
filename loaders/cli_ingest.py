"""Commands for getting news in and out: ingest, backfill, feeds, status, export.

    python -m sitroom ingest [--every 15m] [--feed URL ...] [--force]
    python -m sitroom backfill DIR [--workers N]
    python -m sitroom feeds list|add URL|remove URL|enable URL|disable URL|import-opml FILE|export-opml
    python -m sitroom status
    python -m sitroom export articles|mentions --format csv|parquet [--output FILE]

Exit codes (loaders.cli): 0 ok, 1 ran but something failed (a feed, a file), 2 bad usage/input.
Summaries go to stdout, progress bars and errors to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, literal, select

from loaders import db
from loaders.cli import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, add_db_argument
from loaders.feeds import (
    FeedListError,
    add_feed,
    ensure_default_feeds,
    export_opml,
    import_opml,
    list_feeds,
    remove_feed,
    set_enabled,
)
from loaders.ingest import IngestReport, ingest_every, ingest_once
from sitroom.records import FetchResult
from sitroom.settings import Settings

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)


def parse_interval(value: str) -> float:
    """'90s' | '15m' | '1h' | '15' (minutes) -> minutes; argparse error otherwise."""
    m = _INTERVAL.match(value or "")
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"not an interval: {value!r} (use e.g. 90s, 15m, 1h)")
    number, unit = float(m.group(1)), (m.group(2) or "m").lower()
    return number / 60 if unit == "s" else number * 60 if unit == "h" else number


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _engine(args: argparse.Namespace) -> Engine:
    return db.make_engine(args.db)


# --- ingest ---------------------------------------------------------------------------------

def _summary(report: IngestReport) -> str:
    lines = [
        f"polled {report.n_feeds} feed(s) in {report.seconds:.1f}s: {report.n_ok} ok, "
        f"{report.n_not_modified} not modified, {report.n_failed} failed; {report.n_skipped} not due",
        f"items: {report.n_new} new, {report.n_updated} updated"
        + (f"; mentions extracted for {report.n_extracted} article(s)" if report.n_extracted is not None else ""),
    ]
    if report.n_failed:
        lines.append("failed by class: " + ", ".join(f"{k} {v}" for k, v in report.failures_by_class.items()))
        for r in sorted((r for r in report.results if not r.ok), key=lambda r: (r.error_class, r.feed_url)):
            lines.append(f"  {r.error_class:<12} {r.feed_url}  {r.error}")
    return "\n".join(lines)


def _progress(total_hint: int | None = None) -> tuple[Any, Any]:
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def on_result(result: FetchResult, done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="feed", file=sys.stderr, disable=None, leave=False)
        bar["bar"].update(1)
        bar["bar"].set_postfix_str(("ok" if result.ok else result.error_class), refresh=False)

    def close() -> None:
        if "bar" in bar:
            bar.pop("bar").close()

    return on_result, close


def cmd_ingest(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if not args.feed:
        seeded = ensure_default_feeds(engine)
        if seeded:
            _err(f"the feed list was empty: subscribed to the {seeded} default feeds (data/feeds.csv)")
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    on_result, close = _progress()
    if args.every is None:
        try:
            report = ingest_once(engine, settings=settings, feeds=args.feed or None, force=args.force,
                                 on_result=on_result)
        except FeedListError as exc:
            _err(f"error: {exc}")
            return EXIT_USAGE
        finally:
            close()
        print(_summary(report))
        return EXIT_FAILURES if report.n_failed else EXIT_OK
    if args.feed or args.force:
        _err("error: --every polls every due feed; it does not combine with --feed or --force")
        return EXIT_USAGE
    failed = threading.Event()

    def on_report(report: IngestReport) -> None:
        close()
        print(f"[{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%SZ}] " + _summary(report), flush=True)
        if report.n_failed:
            failed.set()

    ingest_every(engine, args.every, settings=settings, on_result=on_result, on_report=on_report,
                 max_runs=args.max_runs)
    return EXIT_FAILURES if failed.is_set() else EXIT_OK


# --- backfill -------------------------------------------------------------------------------

def cmd_backfill(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        _err(f"error: not a directory: {root}")
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        _err("error: --workers must be at least 1")
        return EXIT_USAGE
    from loaders.backfill import backfill

    engine = _engine(args)
    report = backfill(engine, root, workers=args.workers, progress=sys.stderr.isatty())
    errors = list(getattr(report, "errors", []) or [])
    print(f"backfill {root}: {report.n_files} file(s), {report.n_items} item(s), {report.n_new} new, "
          f"{report.n_duplicates} duplicate(s), {len(errors)} error(s) in {report.seconds:.1f}s")
    for error in errors[:20]:
        if isinstance(error, tuple) and len(error) == 3:
            path, error_class, message = error
            print(f"  {error_class:<12} {path}  {message}")
        else:
            print(f"  {error}")
    if len(errors) > 20:
        print(f"  ... and {len(errors) - 20} more")
    return EXIT_FAILURES if errors else EXIT_OK


# --- feeds ----------------------------------------------------------------------------------

FEED_LIST_COLUMNS = ["name", "language", "region", "enabled", "poll_minutes", "url"]


def cmd_feeds(args: argparse.Namespace) -> int:
    args.db = args.db or getattr(args, "feeds_db", None)
    engine = _engine(args)
    try:
        if args.action == "list":
            frame = list_feeds(engine)
            if frame.empty:
                print("no feeds (add one with `feeds add URL`, or run `ingest` to subscribe to the defaults)")
            else:
                print(frame[FEED_LIST_COLUMNS].to_string(index=False))
        elif args.action == "add":
            feed_id = add_feed(engine, args.url, name=args.name, language=args.language, publisher=args.publisher,
                               region=args.region, poll_minutes=args.poll_minutes)
            print(f"added feed {feed_id}: {args.url.strip()}")
        elif args.action == "remove":
            result = remove_feed(engine, args.url)
            if result.deleted:
                print(f"removed {result.url}")
            else:
                print(f"unsubscribed {result.url}; its {result.n_articles} article(s) stay in the archive "
                      "(the feed is kept, disabled, as their source)")
        elif args.action in ("enable", "disable"):
            set_enabled(engine, args.url, args.action == "enable")
            print(f"{args.action}d {args.url.strip()}")
        elif args.action == "import-opml":
            try:
                data = Path(args.file).read_bytes()
            except OSError as exc:
                _err(f"error: cannot read {args.file}: {exc.strerror or exc}")
                return EXIT_USAGE
            report = import_opml(engine, data)
            print(f"imported {args.file}: {len(report.added)} added, {len(report.skipped_existing)} already subscribed, "
                  f"{len(report.invalid)} invalid")
            for what, why in report.invalid:
                print(f"  invalid: {what}: {why}")
            return EXIT_FAILURES if report.invalid else EXIT_OK
        elif args.action == "export-opml":
            data = export_opml(engine)
            if args.output:
                Path(args.output).write_bytes(data)
                _err(f"wrote {args.output}")
            else:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
    except FeedListError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    return EXIT_OK


# --- status ---------------------------------------------------------------------------------

def feed_status_frame(engine: Engine, *, days: int = 7, now: dt.datetime | None = None) -> pd.DataFrame:
    """Per-feed health: last success, last error, failures in a row, items and 304 ratio over `days`."""
    now = now or db.utcnow()
    since = now - dt.timedelta(days=days)
    f, fl, s = db.feeds, db.fetch_log, db.sightings
    polls = (
        select(fl.c.feed_id, func.count().label("polls"),
               func.sum(case((fl.c.not_modified, literal(1)), else_=literal(0))).label("n304"))
        .where(fl.c.started_at >= since).group_by(fl.c.feed_id).subquery()
    )
    items = (
        select(s.c.feed_id, func.count().label("n_items")).where(s.c.first_seen_at >= since)
        .group_by(s.c.feed_id).subquery()
    )
    query = (
        select(f.c.name, f.c.language, f.c.enabled, f.c.last_success_at, f.c.last_error_class, f.c.last_error,
               f.c.last_error_at, f.c.consecutive_failures, f.c.next_fetch_at,
               func.coalesce(items.c.n_items, 0), func.coalesce(polls.c.polls, 0), func.coalesce(polls.c.n304, 0), f.c.url)
        .outerjoin(polls, polls.c.feed_id == f.c.id).outerjoin(items, items.c.feed_id == f.c.id)
        .order_by(f.c.name, f.c.id)
    )
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=[
        "name", "language", "enabled", "last_success_at", "last_error_class", "last_error", "last_error_at",
        "consecutive_failures", "next_fetch_at", f"items_{days}d", f"polls_{days}d", f"not_modified_{days}d", "url",
    ])
    polls_col = frame[f"polls_{days}d"].astype("int64")
    frame[f"ratio_304_{days}d"] = (frame[f"not_modified_{days}d"] / polls_col.where(polls_col > 0)).round(2)
    return frame


def _when(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "never"
    assert isinstance(value, dt.datetime)
    return value.strftime("%Y-%m-%d %H:%M")


def cmd_status(args: argparse.Namespace) -> int:
    engine = _engine(args)
    frame = feed_status_frame(engine)
    if frame.empty:
        print("no feeds")
        return EXIT_OK
    shown = pd.DataFrame({
        "name": frame["name"].str.slice(0, 40),
        "lang": frame["language"],
        "enabled": frame["enabled"].map({True: "yes", False: "no"}),
        "last success": [_when(v) for v in frame["last_success_at"]],
        "last error": [
            f"{c}: {m[:60]}" if c else "" for c, m in zip(frame["last_error_class"], frame["last_error"], strict=True)
        ],
        "fails": frame["consecutive_failures"],
        "items 7d": frame["items_7d"],
        "304 ratio": ["-" if pd.isna(v) else f"{v:.0%}" for v in frame["ratio_304_7d"]],
    })
    print(shown.to_string(index=False))
    failing = int((frame["consecutive_failures"] > 0).sum())
    print(f"\n{len(frame)} feed(s), {int(frame['enabled'].sum())} enabled, {failing} failing now")
    return EXIT_OK


# --- export ---------------------------------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.what == "articles":
        from loaders.store import articles_frame

        frame = articles_frame(engine)
    else:
        try:
            from loaders.extract import daily_mentions_frame
        except ImportError:
            _err("error: mention extraction is not available in this installation")
            return EXIT_FAILURES
        frame = daily_mentions_frame(engine)
    if args.format == "csv":
        data = frame.to_csv(index=False).encode("utf-8")
    else:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        data = buffer.getvalue()
    if args.output:
        Path(args.output).write_bytes(data)
        _err(f"wrote {len(frame)} row(s) to {args.output}")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


# --- registration -----------------------------------------------------------------------------

def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ingest", help="poll the subscribed feeds (once, or --every interval)")
    add_db_argument(p)
    p.add_argument("--every", type=parse_interval, default=None, metavar="INTERVAL",
                   help="keep polling at this interval: 90s, 15m, 1h (stop with Ctrl-C)")
    p.add_argument("--feed", action="append", default=[], metavar="URL",
                   help="poll only this subscribed feed (repeatable); still waits for it to be due unless --force")
    p.add_argument("--force", action="store_true", help="poll now, ignoring poll intervals and back-off")
    p.add_argument("--max-runs", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_ingest)

    p = subparsers.add_parser("backfill", help="import a folder of archived RSS/Atom files")
    add_db_argument(p)
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--workers", type=int, default=None, help="parsing processes (default: CPU count)")
    p.set_defaults(func=cmd_backfill)

    p = subparsers.add_parser("feeds", help="manage the subscription list")
    # `--db` is accepted before or after the action; argparse would let the action's default
    # overwrite a value given before it, so the outer one has its own destination.
    p.add_argument("--db", dest="feeds_db", default=None, help=argparse.SUPPRESS)
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("list", help="every feed")
    add_db_argument(a)
    a = actions.add_parser("add", help="subscribe to a feed")
    add_db_argument(a)
    a.add_argument("url", metavar="URL")
    a.add_argument("--name", default="")
    a.add_argument("--language", default="", help="ISO 639-1 code of its items (fr, en); empty = detect")
    a.add_argument("--publisher", default="")
    a.add_argument("--region", default="")
    a.add_argument("--poll-minutes", type=int, default=15)
    for name, text in (("remove", "unsubscribe (its articles stay)"), ("enable", "resume polling"),
                       ("disable", "stop polling")):
        a = actions.add_parser(name, help=text)
        add_db_argument(a)
        a.add_argument("url", metavar="URL")
    a = actions.add_parser("import-opml", help="subscribe to every feed of an OPML file")
    add_db_argument(a)
    a.add_argument("file", metavar="FILE")
    a = actions.add_parser("export-opml", help="write the list as OPML 2.0")
    add_db_argument(a)
    a.add_argument("--output", "-o", default=None, metavar="FILE", help="default: stdout")
    p.set_defaults(func=cmd_feeds)

    p = subparsers.add_parser("status", help="per-feed health")
    add_db_argument(p)
    p.set_defaults(func=cmd_status)

    p = subparsers.add_parser("export", help="articles or daily mentions as CSV or Parquet")
    add_db_argument(p)
    p.add_argument("what", choices=("articles", "mentions"))
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--output", "-o", default=None, metavar="FILE", help="default: stdout")
    p.set_defaults(func=cmd_export)
