"""Commands `extract` (JSON lines in, mentions out) and `reextract` (the archive).

    echo '{"id": 1, "title": "Kyiv asks for Patriot batteries", "lang": "en"}' | python -m sitroom extract
    python -m sitroom reextract [--all] [--db PATH]

`extract` reads one JSON object per line on stdin ({"id", "title", "summary", "lang"}; lang
optional) and writes one JSON line per input line on stdout: {"id": ..., "mentions": [...]},
each mention with entity_id, entity_type, name, iso2, alias, start, end, field, match_kind.
A bad line gets {"id": <its id or null>, "error": "..."} plus a message on stderr, and the
rest goes on; the exit code is 1 if any line failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from typing import IO, Any

from loaders.cli import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, add_db_argument
from loaders.gazetteer_files import GazetteerFileError


def _add_gazetteer_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gazetteer-dir", default=None, help="gazetteer folder (default: data/gazetteer)")
    p.add_argument("--user-gazetteer", default=None,
                   help="analyst's file (default: $SITROOM_GAZETTEER_USER, else var/custom_gazetteer.csv)")


def _matcher(args: argparse.Namespace) -> Any:
    from loaders.extract import load_matcher

    return load_matcher(args.gazetteer_dir, args.user_gazetteer)


def run_extract(matcher: Any, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    failed = 0
    for lineno, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            item_id = item.get("id")
            title, summary, lang = item.get("title", ""), item.get("summary", ""), item.get("lang")
            if not isinstance(title, str) or not isinstance(summary, str):
                raise ValueError("title and summary must be strings")
            if lang is not None and not isinstance(lang, str):
                raise ValueError("lang must be a string")
            found = matcher.find_mentions(title, summary, lang or None)
            out: dict[str, Any] = {"id": item_id, "mentions": [dataclasses.asdict(m) for m in found]}
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            message = f"line {lineno}: {exc}"
            print(f"extract: {message}", file=stderr)
            out = {"id": item_id, "error": message}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return EXIT_FAILURES if failed else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        matcher = _matcher(args)
    except GazetteerFileError as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_extract(matcher, sys.stdin, sys.stdout, sys.stderr)


def cmd_reextract(args: argparse.Namespace) -> int:
    from loaders import db
    from loaders.extract import count_stale, extract_pending

    try:
        matcher = _matcher(args)
    except GazetteerFileError as exc:
        print(f"reextract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    engine = db.make_engine(args.db)
    try:
        started = time.perf_counter()
        n = extract_pending(engine, matcher=matcher, progress=sys.stderr.isatty() and not args.quiet,
                            batch=args.batch, all_articles=args.all)
        elapsed = time.perf_counter() - started
        left = count_stale(engine, matcher.version)
    finally:
        engine.dispose()
    rate = f", {n / elapsed:,.0f} articles/s" if n and elapsed > 0 else ""
    print(f"re-extracted {n:,} articles with gazetteer {matcher.version} in {elapsed:.1f}s{rate}; {left:,} stale left")
    return EXIT_OK if left == 0 else EXIT_FAILURES


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("extract", help="entity mentions for JSON lines on stdin (one JSON line out per line in)")
    _add_gazetteer_arguments(p)
    p.set_defaults(func=cmd_extract)

    p = subparsers.add_parser("reextract", help="extract mentions for archive articles made with an older gazetteer")
    add_db_argument(p)
    _add_gazetteer_arguments(p)
    p.add_argument("--all", action="store_true", help="re-extract every article, not only stale ones")
    p.add_argument("--batch", type=int, default=5000, help="articles per transaction (default 5000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_reextract)
