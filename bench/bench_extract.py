"""Entity extraction speed: our matcher vs the simple alternatives, on the real feed items.

    .venv/bin/python bench/bench_extract.py [--feeds ../shared/feeds] [--repeat 3]
        [--regex-sample 2000] [--spacy-sample 500] [--db-articles 200000] [--skip-db]

Loads every item of the feeds folder (ElementTree, title + description; HTML tags dropped),
then prints items/s on one core (medians of --repeat runs) for:
  1. our Matcher (full gazetteer: Aho-Corasick + boundaries + case + rules);
  2. per-entity compiled regular expressions over the same alias set (one alternation per
     entity, IGNORECASE, \\b-like Unicode boundaries): what most dashboards do. Too slow for the
     whole corpus, so it runs on a random sample and the rate is extrapolated (said in the output);
  3. spaCy fr_core_news_sm NER on a sample of French items (skipped when spaCy or the model
     is absent: `pip install -r bench/requirements.txt`);
and the full database path: `extract_pending` over a temporary SQLite archive of --db-articles
articles (real items, repeated as needed), split into matching time and database time, with
the extrapolation to 1,000,000 articles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import pickle
import random
import re
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.gazetteer_files import read_gazetteer  # noqa: E402
from sitroom.matching import Matcher  # noqa: E402

DEFAULT_FEEDS = ROOT.parent / "shared" / "feeds"
CACHE = ROOT / "bench" / "out" / "feed_items.pickle"
TAG_RE = re.compile(r"<[^>]+>")
ATOM = "{http://www.w3.org/2005/Atom}"

Item = tuple[str, str, str]  # title, summary, lang


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    raw = "".join(el.itertext()) if len(el) else (el.text or "")
    return " ".join(html.unescape(TAG_RE.sub(" ", raw)).split())


def load_items(feeds: Path) -> list[Item]:
    """Distinct (title, summary, lang) items of every XML file under `feeds` (cached)."""
    if CACHE.exists() and CACHE.stat().st_mtime > feeds.stat().st_mtime:
        with CACHE.open("rb") as fh:
            cached: list[Item] = pickle.load(fh)
        return cached
    seen: set[tuple[str, str]] = set()
    items: list[Item] = []
    for path in sorted(feeds.rglob("*.xml")):
        lang = "fr" if "le_monde_fr" in path.parts else "en"
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        for node in root.iter():
            tag = node.tag
            if tag == "item" or tag.endswith("}item"):
                title = _text(node.find("title"))
                summary = _text(node.find("description"))
                key = _text(node.find("guid")) or _text(node.find("link")) or title
            elif tag == f"{ATOM}entry":
                title = _text(node.find(f"{ATOM}title"))
                summary = _text(node.find(f"{ATOM}summary")) or _text(node.find(f"{ATOM}content"))
                key = _text(node.find(f"{ATOM}id")) or title
            else:
                continue
            if (key, title) in seen or not (title or summary):
                continue
            seen.add((key, title))
            items.append((title, summary, lang))
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with CACHE.open("wb") as fh:
        pickle.dump(items, fh)
    return items


def median_rate(fn, n_items: int, repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(items per CPU second, median CPU seconds, median wall seconds) over `repeat` runs.

    CPU time of this process is the one-core figure; wall time is shown too because the
    machine may be shared (wall >= CPU when other processes compete for the core)."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    med = statistics.median(cpu)
    return n_items / med, med, statistics.median(wall)


def regex_baseline(gazetteer) -> list[tuple[str, re.Pattern[str]]]:  # type: ignore[no-untyped-def]
    out = []
    for e in gazetteer.entities:
        alts = sorted({re.escape(a.text) for a in e.aliases if len(a.text) >= 2}, key=len, reverse=True)
        if alts:
            out.append((e.id, re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)))
    return out


def bench_db(matcher: Matcher, items: list[Item], n_articles: int) -> None:
    from sqlalchemy import insert

    import loaders.extract as ex
    from loaders import db

    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(Path(tmp) / "bench.sqlite")
        now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        rng = random.Random(1)
        with db.write_tx(engine) as conn:
            feed_id = conn.execute(insert(db.feeds).values(url="http://bench/feed", name="bench", added_at=now)).inserted_primary_key[0]
        t0 = time.perf_counter()
        rows = []
        for i in range(n_articles):
            title, summary, lang = items[i % len(items)]
            day = (dt.date(2023, 1, 1) + dt.timedelta(days=i * 365 // n_articles)).isoformat()
            naive = now.replace(tzinfo=None)
            rows.append((f"u{i}", "", title, summary, naive, "", 0, day, naive, naive, lang, "", "[]", feed_id))
        rng.shuffle(rows)  # ids not in day order, as in a real archive filled by many feeds
        with db.write_tx(engine) as conn:
            conn.exec_driver_sql(
                "INSERT INTO articles (uid, url, title, summary, published_at, published_raw, published_estimated, day, "
                "first_seen_at, updated_at, language, author, categories, feed_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        print(f"  archive of {n_articles:,} articles built in {time.perf_counter() - t0:.1f}s")

        match_time = 0.0
        real_find = matcher.find_mentions

        def timed_find(title, summary, lang=None):  # type: ignore[no-untyped-def]
            nonlocal match_time
            t = time.perf_counter()
            out = real_find(title, summary, lang)
            match_time += time.perf_counter() - t
            return out

        matcher.find_mentions = timed_find  # type: ignore[method-assign]
        write_time = 0.0
        real_write = ex.write_batch

        def timed_write(conn, batch, results, version):  # type: ignore[no-untyped-def]
            nonlocal write_time
            t = time.perf_counter()
            real_write(conn, batch, results, version)
            write_time += time.perf_counter() - t

        ex.write_batch = timed_write  # type: ignore[assignment]
        try:
            for label, all_articles in (("first extraction", False), ("re-extraction (--all)", True)):
                match_time = write_time = 0.0
                t0, c0 = time.perf_counter(), time.process_time()
                n = ex.extract_pending(engine, matcher=matcher, all_articles=all_articles)
                total = time.perf_counter() - t0
                cpu_total = time.process_time() - c0
                other = total - match_time - write_time
                with engine.connect() as conn:
                    n_m = conn.exec_driver_sql("SELECT count(*) FROM mentions").scalar()
                    n_ae = conn.exec_driver_sql("SELECT count(*) FROM article_entities").scalar()
                print(f"  {label}: {n:,} articles in {total:.1f}s = {n / total:,.0f} articles/s "
                      f"(matching {match_time:.1f}s, writes+daily refresh {write_time:.1f}s, reads/other {other:.1f}s); "
                      f"{n_m:,} mention rows, {n_ae:,} article_entities rows; process CPU {cpu_total:.1f}s")
                print(f"    -> 1,000,000 articles: about {1_000_000 / n * total:.0f}s "
                      f"({1_000_000 / n * match_time:.0f}s matching + {1_000_000 / n * (total - match_time):.0f}s database)")
        finally:
            matcher.find_mentions = real_find  # type: ignore[method-assign]
            ex.write_batch = real_write  # type: ignore[assignment]
            engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regex-sample", type=int, default=2000)
    parser.add_argument("--spacy-sample", type=int, default=500)
    parser.add_argument("--db-articles", type=int, default=200_000)
    parser.add_argument("--skip-db", action="store_true")
    parser.add_argument("--only-db", action="store_true", help="skip the matching comparisons")
    args = parser.parse_args()
    if not args.feeds.exists():
        print(f"no feeds folder at {args.feeds}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    items = load_items(args.feeds)
    n_chars = sum(len(t) + len(s) for t, s, _ in items)
    n_fr = sum(1 for *_, lang in items if lang == "fr")
    print(f"items: {len(items):,} distinct ({n_fr:,} French), {n_chars / 1e6:.1f} M characters, "
          f"loaded in {time.perf_counter() - t0:.1f}s; one core (pid {os.getpid()})")

    t0 = time.perf_counter()
    g = read_gazetteer(user_file=Path("/nonexistent"))
    matcher = Matcher.from_gazetteer(g)
    n_alias = sum(len(e.aliases) for e in g.entities)
    print(f"gazetteer {g.version}: {len(g.entities):,} entities, {n_alias:,} aliases, "
          f"{matcher.n_patterns:,} patterns; matcher built in {time.perf_counter() - t0:.2f}s")

    if args.only_db:
        print(f"\nfull database path (SQLite, temporary file), {args.db_articles:,} articles:")
        bench_db(matcher, items, args.db_articles)
        return 0

    n_found = 0

    def ours() -> None:
        nonlocal n_found
        n_found = 0
        for title, summary, lang in items:
            n_found += len(matcher.find_mentions(title, summary, lang))

    rate, med, wall = median_rate(ours, len(items), args.repeat)
    print(f"\n{'method':<48} {'items/s':>12} {'CPU s':>8} {'wall s':>8}  note (median of {args.repeat} runs, one core)")
    print(f"{'Matcher (pyahocorasick, full gazetteer)':<48} {rate:>12,.0f} {med:>8.2f} {wall:>8.2f}  all items, {n_found:,} mentions")

    rng = random.Random(0)
    sample = rng.sample(items, min(args.regex_sample, len(items)))
    regexes = regex_baseline(g)

    def regex_loop() -> None:
        for title, summary, _ in sample:
            text = title + "\n" + summary
            for _eid, rx in regexes:
                rx.search(text)

    rate_rx, med_rx, wall_rx = median_rate(regex_loop, len(sample), args.repeat)
    print(f"{'per-entity compiled regex loop (same aliases)':<48} {rate_rx:>12,.0f} {med_rx:>8.2f} {wall_rx:>8.2f}  "
          f"sample of {len(sample):,}; whole corpus would take ~{len(items) / rate_rx:,.0f}s; no case/rules")

    def ours_sample() -> None:
        for title, summary, lang in sample:
            matcher.find_mentions(title, summary, lang)

    rate_s, med_s, wall_s = median_rate(ours_sample, len(sample), args.repeat)
    print(f"{'Matcher on the same sample':<48} {rate_s:>12,.0f} {med_s:>8.2f} {wall_s:>8.2f}  sample of {len(sample):,}")

    try:
        import spacy

        nlp = spacy.load("fr_core_news_sm")
    except (ImportError, OSError) as exc:
        print(f"{'spaCy fr_core_news_sm NER':<48} {'skipped':>12}  {type(exc).__name__}: {exc}"[:160])
    else:
        fr_items = [i for i in items if i[2] == "fr"]
        fr_sample = rng.sample(fr_items, min(args.spacy_sample, len(fr_items)))
        texts = [f"{t}\n{s}" for t, s, _ in fr_sample]

        def spacy_ner() -> None:
            for doc in nlp.pipe(texts, batch_size=64, n_process=1):
                _ = [e for e in doc.ents if e.label_ in ("LOC", "ORG", "PER")]

        rate_sp, med_sp, wall_sp = median_rate(spacy_ner, len(texts), args.repeat)
        print(f"{'spaCy fr_core_news_sm NER (no linking!)':<48} {rate_sp:>12,.0f} {med_sp:>8.2f} {wall_sp:>8.2f}  "
              f"{len(texts):,} French items; finds spans, not entity ids")

        def ours_fr() -> None:
            for title, summary, lang in fr_sample:
                matcher.find_mentions(title, summary, lang)

        rate_fr, med_fr, wall_fr = median_rate(ours_fr, len(fr_sample), args.repeat)
        print(f"{'Matcher on the same French sample':<48} {rate_fr:>12,.0f} {med_fr:>8.2f} {wall_fr:>8.2f}")

    if not args.skip_db:
        print(f"\nfull database path (SQLite, temporary file), {args.db_articles:,} articles:")
        bench_db(matcher, items, args.db_articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
