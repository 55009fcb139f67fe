"""Backfill speed: our whole import next to feedparser's bare parse of the same files.

    .venv/bin/python bench/bench_backfill.py                   # whole ../shared/feeds, 1 repeat
    .venv/bin/python bench/bench_backfill.py --limit 600 --repeats 3
    .venv/bin/python bench/bench_backfill.py --compare         # also: fast path vs feedparser, file by file

Figures, each the median over --repeats runs, on the same files, as wall time and as CPU time
(process + pool workers: the figure that stays meaningful on a machine shared with other jobs):
  feedparser bare      feedparser.parse(BytesIO) on every file, one core: the single-core floor
                       that any feedparser-based importer pays before normalising or storing
  our parse, 1 core    parse_feed_bytes (fast path + fallback + normalisation), one core
  our backfill         backfill() end to end into a fresh temporary SQLite archive: parallel
                       parse, de-duplication, writes, day aggregates (extraction excluded unless
                       --extract)
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser

from loaders.backfill import FEED_SUFFIXES, backfill
from loaders.db import make_engine
from loaders.errors import ParseError
from loaders.parse import parse_feed_bytes

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "feeds"


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(FEED_SUFFIXES))


def subset_tree(root: Path, files: list[Path], limit: int, into: Path) -> tuple[Path, list[Path]]:
    """Every k-th file (spread over all folders), linked into a tree of the same shape."""
    step = max(1, len(files) // limit)
    chosen = files[::step][:limit]
    for path in chosen:
        target = into / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path)
    return into, chosen


def cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the backfill's pool workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def feedparser_rate(blobs: list[bytes]) -> tuple[float, int]:
    started = time.perf_counter()
    items = sum(len(feedparser.parse(io.BytesIO(b)).entries) for b in blobs)
    return time.perf_counter() - started, items


def our_parse_rate(blobs: list[bytes]) -> tuple[float, int, collections.Counter[str]]:
    now = dt.datetime.now(dt.UTC)
    paths: collections.Counter[str] = collections.Counter()
    items = 0
    started = time.perf_counter()
    for blob in blobs:
        try:
            parsed = parse_feed_bytes(blob, feed_url="https://bench.example/", feed_language="", fetched_at=now)
        except ParseError as exc:
            paths[exc.error_class] += 1
            continue
        paths[parsed.parser] += 1
        items += len(parsed.entries)
    return time.perf_counter() - started, items, paths


def compare_paths(blobs: list[bytes], names: list[Path]) -> tuple[int, int, list[str]]:
    now = dt.datetime.now(dt.UTC)
    n_fast = n_diff = 0
    examples: list[str] = []
    for blob, name in zip(blobs, names, strict=True):
        try:
            fast = parse_feed_bytes(blob, feed_url="https://bench.example/", feed_language="", fetched_at=now)
        except ParseError:
            continue
        if fast.parser != "fast":
            continue
        n_fast += 1
        slow = parse_feed_bytes(blob, feed_url="https://bench.example/", feed_language="", fetched_at=now, fast=False)
        if (fast.entries, fast.title, fast.link, fast.language, fast.self_link) != (
            slow.entries, slow.title, slow.link, slow.language, slow.self_link
        ):
            n_diff += 1
            if len(examples) < 5:
                examples.append(str(name))
    return n_fast, n_diff, examples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--limit", type=int, default=0, help="use about this many files, spread over all folders")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None, help="backfill workers (default: CPU count)")
    ap.add_argument("--extract", action="store_true", help="include entity extraction in the backfill figure")
    ap.add_argument("--compare", action="store_true", help="check fast path == feedparser on every fast file")
    args = ap.parse_args()

    files = all_files(args.root)
    with tempfile.TemporaryDirectory(prefix="sitroom-bench-") as tmp:
        root = args.root
        if args.limit and args.limit < len(files):
            root, files = subset_tree(args.root, files, args.limit, Path(tmp) / "tree")
        blobs = [p.read_bytes() for p in files]
        megabytes = sum(map(len, blobs)) / 1e6
        print(f"{len(files)} files, {megabytes:.1f} MB from {args.root}"
              f"{f' (every k-th file, limit {args.limit})' if args.limit else ''}; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, repeats {args.repeats}")

        fp_runs, our_runs, bf_runs = [], [], []
        fp_cpu, our_cpu, bf_cpu = [], [], []
        fp_items = our_items = 0
        paths: collections.Counter[str] = collections.Counter()
        report = None
        for r in range(args.repeats):
            cpu = cpu_seconds()
            seconds, fp_items = feedparser_rate(blobs)
            fp_runs.append(seconds)
            fp_cpu.append(cpu_seconds() - cpu)
            cpu = cpu_seconds()
            seconds, our_items, paths = our_parse_rate(blobs)
            our_runs.append(seconds)
            our_cpu.append(cpu_seconds() - cpu)
            engine = make_engine(Path(tmp) / f"bench-{r}.sqlite")
            cpu = cpu_seconds()
            report = backfill(engine, root, workers=args.workers, progress=False, extract=args.extract)
            bf_cpu.append(cpu_seconds() - cpu)
            engine.dispose()
            bf_runs.append(report.seconds)
        assert report is not None

        def line(label: str, runs: list[float], cpu: list[float], items: int, note: str = "") -> None:
            median, cpu_median = statistics.median(runs), statistics.median(cpu)
            print(f"{label:28} {median:8.2f} s {items / median:10,.0f} items/s {cpu_median:8.2f} s "
                  f"{items / cpu_median:10,.0f} items/s   {note}")

        print(f"\n{'':28} {'wall':>10} {'rate':>16} {'CPU':>10} {'per CPU-s':>16}")
        line("feedparser bare, 1 core", fp_runs, fp_cpu, fp_items, f"{fp_items} items")
        line("our parse, 1 core", our_runs, our_cpu, our_items, f"{our_items} items; files by path: {dict(paths)}")
        line(f"our backfill, {args.workers or os.cpu_count()} workers", bf_runs, bf_cpu, report.n_items,
             f"{report.n_new} new, {report.n_duplicates} duplicates, {report.n_updated} updated, "
             f"{len(report.errors)} failed files{', extraction included' if args.extract else ''}")
        fp_median, bf_median = statistics.median(fp_runs), statistics.median(bf_runs)
        print(f"\nbackfill end to end is {fp_median / bf_median:.1f}x feedparser's bare single-core parse "
              f"(runs: feedparser {[round(x, 2) for x in fp_runs]}, backfill {[round(x, 2) for x in bf_runs]})")
        for path, cls, message in report.errors[:5]:
            print(f"  failed: {path}: {cls}: {message[:100]}")

        if args.compare:
            n_fast, n_diff, examples = compare_paths(blobs, files)
            print(f"\nfast path vs feedparser: {n_fast} files on the fast path, {n_diff} with any difference"
                  f"{': ' + ', '.join(examples) if examples else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
