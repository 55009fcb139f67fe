"""Run parse_feed_bytes over every document of feedparser's own test corpus.

    .venv/bin/python bench/robustness_feedparser_corpus.py [CORPUS_DIR]

Prints how many documents ended in entries (by parser path), in no entries, or in each typed
ParseError, and lists any other exception: there must be none (exit status 1 otherwise).
Default corpus: ../shared/feedparser-corpus next to the checkout.
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.errors import ParseError
from loaders.parse import parse_feed_bytes

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "feedparser-corpus"


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")
    now = dt.datetime.now(dt.UTC)
    outcomes: collections.Counter[str] = collections.Counter()
    by_folder: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    unexpected: list[tuple[Path, str]] = []
    slowest = (0.0, Path())
    n_entries = 0
    started = time.perf_counter()
    for path in files:
        t0 = time.perf_counter()
        try:
            parsed = parse_feed_bytes(path.read_bytes(), feed_url=path.as_uri(), feed_language="", fetched_at=now)
            outcome = f"entries ({parsed.parser})" if parsed.entries else f"no entries ({parsed.parser})"
            n_entries += len(parsed.entries)
        except ParseError as exc:
            outcome = f"{type(exc).__name__} ({exc.error_class})"
        except Exception as exc:
            outcome = "UNEXPECTED"
            unexpected.append((path, "".join(traceback.format_exception_only(exc)).strip()))
        took = time.perf_counter() - t0
        slowest = max(slowest, (took, path))
        outcomes[outcome] += 1
        by_folder[path.relative_to(root).parts[0]][outcome] += 1
    seconds = time.perf_counter() - started
    print(f"{len(files)} documents from {root} in {seconds:.1f}s ({n_entries} entries; slowest "
          f"{slowest[0] * 1000:.0f} ms: {slowest[1].relative_to(root) if slowest[0] else '-'})")
    print(f"{'outcome':40} {'files':>6}")
    for outcome, n in outcomes.most_common():
        print(f"{outcome:40} {n:6}")
    print("\nper folder:")
    for folder, counts in sorted(by_folder.items()):
        print(f"  {folder:12} " + ", ".join(f"{k}: {v}" for k, v in counts.most_common()))
    if unexpected:
        print(f"\n{len(unexpected)} UNEXPECTED exceptions:")
        for path, message in unexpected:
            print(f"  {path.relative_to(root)}: {message}")
        return 1
    print("\nno unexpected exception: every document ended in entries, no entries, or a typed ParseError")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
