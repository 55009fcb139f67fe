"""The command line: `python -m sitroom COMMAND`.

Each command family registers itself from its own module (`register(subparsers)`), so that
ingestion and extraction keep their commands beside their code. Every command takes `--db`
(or `SITROOM_DB`): a SQLite path or a database URL.

Exit codes: 0 success, 1 the command ran but something failed (e.g. some feeds failed),
2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that contribute sub-commands; each defines `register(subparsers) -> None` and sets
# `func(args) -> int` on its parsers.
COMMAND_MODULES = ("loaders.cli_ingest", "loaders.cli_extract")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite file or database URL (default: $SITROOM_DB, else var/sitroom.sqlite in the checkout)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sitroom", description="Sitroom news archive and entity mentions.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
