"""Build a large archive for the dashboard benchmark from the real items of ../shared/feeds.

    .venv/bin/python bench/build_large_archive.py OUT.sqlite [--articles 1000000] [--years 3]

Every distinct real item (title, summary, link, language) of ../shared/feeds is parsed once with
ElementTree, matched once with the project's matcher (sitroom.matching, when it is installed;
otherwise a small documented keyword fallback), then copied as many times as needed with dates
spread over the last `--years` years (uniform per day, random time of day), unique uids and URLs,
and the item's mentions replicated to each copy. Rows go in with executemany in big transactions
straight into the loaders.db tables, with the FTS triggers and secondary indexes dropped during
the load; then indexes are re-created, FTS is rebuilt and loaders.db.refresh_daily computes the
daily aggregates. Timings are printed per step.

The output stays on this machine: it holds outlet text and must never be committed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import re
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders import db  # noqa: E402

FEEDS_DIR = ROOT.parent / "shared" / "feeds"
TAG_RE = re.compile(r"<[^>]+>")
SPACE_RE = re.compile(r"\s+")
ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY_MAX = 600
SEAT_KINDS = {"capital", "seat_of_power"}
BATCH = 50_000


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    summary: str
    link: str
    lang: str
    series: str  # outlet/series folder: becomes one feed


@dataclass(frozen=True, slots=True)
class Hit:
    entity_id: str
    field: str
    alias: str
    start: int
    end: int
    match_kind: str


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    raw = "".join(el.itertext())
    if "<" in raw or "&" in raw:
        raw = html.unescape(TAG_RE.sub(" ", raw))
    return SPACE_RE.sub(" ", raw).strip()


def read_items(root: Path) -> list[Item]:
    """Distinct items (by link, else title) of every XML file under root."""
    seen: set[tuple[str, str]] = set()
    items: list[Item] = []
    for path in sorted(root.rglob("*.xml")):
        series = "/".join(path.relative_to(root).parts[:2])
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            continue
        top = tree.getroot()
        channel_lang = (top.findtext("channel/language") or top.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
        default_lang = "fr" if channel_lang.lower().startswith("fr") or series.startswith("le_monde_fr") else "en"
        for el in top.iter("item"):
            title = _text(el.find("title"))
            link = (el.findtext("link") or el.findtext("guid") or "").strip()
            key = (series, link or title)
            if not title or key in seen:
                continue
            seen.add(key)
            items.append(Item(title, _text(el.find("description"))[:SUMMARY_MAX], link, default_lang, series))
        for el in top.iter(f"{ATOM}entry"):
            title = _text(el.find(f"{ATOM}title"))
            link_el = el.find(f"{ATOM}link")
            link = link_el.get("href", "") if link_el is not None else ""
            key = (series, link or title)
            if not title or key in seen:
                continue
            seen.add(key)
            summary = _text(el.find(f"{ATOM}summary")) or _text(el.find(f"{ATOM}content"))
            items.append(Item(title, summary[:SUMMARY_MAX], link, default_lang, series))
    return items


# --- matching -----------------------------------------------------------------------------

# Fallback when the project's matcher is not installed: a handful of frequent entities, matched
# case-sensitively on word boundaries. Counts are then lower than the real matcher's.
FALLBACK = {
    "country:UA": ("country", "Ukraine", "UA", ["Ukraine", "Ukrainian", "Kyiv", "ukrainien", "ukrainienne"]),
    "country:RU": ("country", "Russia", "RU", ["Russia", "Russian", "Russie", "russe", "Moscow", "Moscou"]),
    "country:CN": ("country", "China", "CN", ["China", "Chinese", "Chine", "chinois", "Beijing", "Pékin"]),
    "country:US": ("country", "United States", "US", ["United States", "US", "U.S.", "Etats-Unis", "américain"]),
    "country:IL": ("country", "Israel", "IL", ["Israel", "Israeli", "Israël", "israélien"]),
    "country:IR": ("country", "Iran", "IR", ["Iran", "Iranian", "iranien"]),
    "country:FR": ("country", "France", "FR", ["France", "French", "français", "française"]),
    "country:GB": ("country", "United Kingdom", "GB", ["UK", "Britain", "British", "Royaume-Uni"]),
    "country:DE": ("country", "Germany", "DE", ["Germany", "German", "Allemagne", "allemand"]),
    "country:TW": ("country", "Taiwan", "TW", ["Taiwan", "Taïwan"]),
    "country:IN": ("country", "India", "IN", ["India", "Indian", "Inde"]),
    "organisation:nato": ("organisation", "NATO", "", ["NATO", "OTAN"]),
    "organisation:un": ("organisation", "United Nations", "", ["United Nations", "UN", "ONU"]),
    "weapon_class:drone": ("weapon_class", "Drone", "", ["drone", "drones"]),
    "weapon_class:missile": ("weapon_class", "Missile", "", ["missile", "missiles"]),
    "company:boeing": ("company", "Boeing", "", ["Boeing"]),
    "company:airbus": ("company", "Airbus", "", ["Airbus"]),
}


class FallbackMatcher:
    def __init__(self) -> None:
        alias_to_id = {a: eid for eid, (_, _, _, aliases) in FALLBACK.items() for a in aliases}
        pattern = "|".join(re.escape(a) for a in sorted(alias_to_id, key=len, reverse=True))
        self.regex = re.compile(rf"(?<!\w)({pattern})(?!\w)")
        self.alias_to_id = alias_to_id

    def hits(self, item: Item) -> list[Hit]:
        out = []
        for field, value in (("title", item.title), ("summary", item.summary)):
            for m in self.regex.finditer(value):
                out.append(Hit(self.alias_to_id[m.group(1)], field, m.group(1), m.start(), m.end(), "name"))
        return out

    def entity_rows(self) -> list[dict[str, str]]:
        return [{"id": eid, "type": t, "name_en": name, "name_fr": "", "iso2": iso2, "iso3": "",
                 "country_iso2": "", "parent_id": "", "aliases": json.dumps(aliases)}
                for eid, (t, name, iso2, aliases) in FALLBACK.items()]


class ProjectMatcher:
    """sitroom.matching.Matcher built from loaders.gazetteer_files.read_gazetteer()."""

    def __init__(self) -> None:
        from loaders.gazetteer_files import read_gazetteer
        from sitroom.matching import Matcher

        self.gazetteer = read_gazetteer()
        self.matcher = Matcher.from_gazetteer(self.gazetteer)
        self.version = self.gazetteer.version or "bench"
        self.entities: dict[str, dict[str, str]] = {}

    def hits(self, item: Item) -> list[Hit]:
        out = []
        for m in self.matcher.find_mentions(item.title, item.summary, item.lang):
            if m.entity_id not in self.entities:
                self.entities[m.entity_id] = {
                    "id": m.entity_id, "type": m.entity_type, "name_en": m.name, "name_fr": "", "iso2": m.iso2,
                    "iso3": "", "country_iso2": "", "parent_id": "", "aliases": "[]"}
            out.append(Hit(m.entity_id, m.field, m.alias, m.start, m.end, m.match_kind))
        return out

    def entity_rows(self) -> list[dict[str, str]]:
        """Every gazetteer entity, as loaders.extract.sync_entities writes them (names, aliases)."""
        rows = []
        for e in self.gazetteer.entities:
            rows.append({"id": e.id, "type": e.type, "name_en": e.name_en[:300], "name_fr": e.name_fr[:300],
                         "iso2": e.iso2[:2], "iso3": e.iso3[:3], "country_iso2": e.country_iso2[:2],
                         "parent_id": e.parent_id,
                         "aliases": json.dumps(sorted({a.text for a in e.aliases}), ensure_ascii=False)})
        return rows or list(self.entities.values())


def make_matcher() -> tuple[object, str]:
    try:
        return ProjectMatcher(), "sitroom.matching"
    except Exception as exc:  # not installed yet, or the gazetteer is missing
        print(f"  project matcher unavailable ({type(exc).__name__}: {exc}); using the keyword fallback")
        return FallbackMatcher(), "fallback"


# --- loading ------------------------------------------------------------------------------

def _ts(value: dt.datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (naive UTC)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_sql(table) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    cols = [c.name for c in table.columns]
    return (f'INSERT INTO {table.name} ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
            f'VALUES ({", ".join("?" for _ in cols)})'), cols


def build(out: Path, n_articles: int, years: int, seed: int, feeds_dir: Path) -> None:
    t0 = time.perf_counter()
    rng = random.Random(seed)
    if out.exists():
        sys.exit(f"{out} exists: remove it first")
    engine = db.make_engine(out)
    engine.dispose()
    t = time.perf_counter()
    items = read_items(feeds_dir)
    print(f"parse   {len(items):,} distinct items from {feeds_dir} in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    matcher, how = make_matcher()
    hits = [matcher.hits(item) for item in items]  # type: ignore[attr-defined]
    n_hits = sum(len(h) for h in hits)
    print(f"match   {len(items):,} items with {how}: {n_hits:,} mentions "
          f"({n_hits / max(1, len(items)):.2f}/item) in {time.perf_counter() - t:.1f} s")

    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA temp_store=MEMORY")
    t = time.perf_counter()
    for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    indexes = [ix for table in (db.articles, db.mentions, db.article_entities) for ix in table.indexes]
    for ix in indexes:
        conn.execute(f"DROP INDEX IF EXISTS {ix.name}")

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    series = sorted({i.series for i in items})
    conn.execute("BEGIN")
    feed_ids: dict[str, int] = {}
    for name in series:
        langs = Counter(i.lang for i in items if i.series == name)
        cur = conn.execute(
            "INSERT INTO feeds (url, name, language, publisher, region, enabled, poll_minutes, added_at, etag, "
            "last_modified, last_fetch_at, last_success_at, last_error_class, last_error, consecutive_failures, "
            "error_counts) VALUES (?, ?, ?, ?, '', 1, 15, ?, '', '', ?, ?, '', '', 0, '{}')",
            (f"https://bench.invalid/{name}.xml", name.replace("/", " "), langs.most_common(1)[0][0],
             name.split("/")[0], _ts(now), _ts(now), _ts(now)))
        feed_ids[name] = int(cur.lastrowid or 0)
    ent_sql, ent_cols = _insert_sql(db.entities)
    conn.executemany(ent_sql, [tuple(r[c] for c in ent_cols) for r in matcher.entity_rows()])  # type: ignore[attr-defined]
    # the project's gazetteer version: the dashboard and extract_pending then see every article as extracted
    version = getattr(matcher, "version", f"bench-{how}")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('gazetteer_version', ?)", (version,))
    conn.execute("COMMIT")

    art_sql, art_cols = _insert_sql(db.articles)
    ae_sql, ae_cols = _insert_sql(db.article_entities)
    men_sql, men_cols = _insert_sql(db.mentions)
    men_cols_no_id = [c for c in men_cols if c != "id"]
    men_sql = men_sql.replace('"id", ', "").replace("?, ", "", 1)
    sight_sql, sight_cols = _insert_sql(db.sightings)
    # the row tuples below are built in these column orders: fail loudly if the schema moved
    assert art_cols == ["id", "uid", "url", "title", "summary", "published_at", "published_raw",
                        "published_estimated", "day", "first_seen_at", "updated_at", "language", "author",
                        "categories", "feed_id", "extracted_version"], art_cols
    assert ae_cols == ["article_id", "entity_id", "day", "language", "feed_id", "n_hits", "via_seat_only",
                       "gazetteer_version"], ae_cols
    assert men_cols_no_id == ["article_id", "entity_id", "field", "alias", "start", "end", "match_kind",
                              "gazetteer_version"], men_cols_no_id
    assert sight_cols == ["article_id", "feed_id", "guid", "first_seen_at", "last_seen_at"], sight_cols

    end = dt.datetime.now(dt.UTC).date()
    days = 365 * years
    start = end - dt.timedelta(days=days - 1)
    n_ae = n_men = 0
    art_rows: list[tuple[object, ...]] = []
    ae_rows: list[tuple[object, ...]] = []
    men_rows: list[tuple[object, ...]] = []
    sight_rows: list[tuple[object, ...]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(art_sql, art_rows)
        conn.executemany(sight_sql, sight_rows)
        conn.executemany(ae_sql, ae_rows)
        conn.executemany(men_sql, men_rows)
        conn.execute("COMMIT")
        for rows in (art_rows, ae_rows, men_rows, sight_rows):
            rows.clear()

    for i in range(1, n_articles + 1):
        k = rng.randrange(len(items))
        item = items[k]
        day = start + dt.timedelta(days=(i - 1) * days // n_articles)
        published = dt.datetime.combine(day, dt.time(), tzinfo=None) + dt.timedelta(seconds=rng.randrange(86400))
        ts = _ts(published)
        feed_id = feed_ids[item.series]
        link = f"{item.link}#bench-{i}" if item.link else f"https://bench.invalid/a/{i}"
        day_s = day.isoformat()
        art_rows.append((i, f"bench-{i:010d}", link, item.title, item.summary, ts, "", 0, day_s, ts, ts,
                         item.lang, "", "[]", feed_id, version))
        sight_rows.append((i, feed_id, link, ts, ts))
        per_entity: dict[str, list[Hit]] = {}
        for h in hits[k]:
            per_entity.setdefault(h.entity_id, []).append(h)
            men_rows.append((i, h.entity_id, h.field, h.alias, h.start, h.end, h.match_kind, version))
        for eid, hs in per_entity.items():
            seat_only = all(h.match_kind in SEAT_KINDS for h in hs)
            ae_rows.append((i, eid, day_s, item.lang, feed_id, len(hs), int(seat_only), version))
        n_men += len(hits[k])
        n_ae += len(per_entity)
        if len(art_rows) >= BATCH:
            flush()
    flush()
    print(f"insert  {n_articles:,} articles, {n_ae:,} article_entities, {n_men:,} mentions "
          f"in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    for ix in indexes:
        cols = ", ".join(f'"{c.name}"' for c in ix.columns)
        conn.execute(f"CREATE INDEX IF NOT EXISTS {ix.name} ON {ix.table.name} ({cols})")  # type: ignore[union-attr]
    print(f"index   {len(indexes)} secondary indexes in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    for statement in db._FTS_SQL[1:]:  # the triggers; the FTS table itself was never dropped
        conn.execute(statement)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('rebuild')")
    print(f"fts     rebuild in {time.perf_counter() - t:.1f} s")
    conn.close()

    t = time.perf_counter()
    engine = db.make_engine(out)
    with db.write_tx(engine) as c:
        db.refresh_daily(c)
    with engine.connect() as c:
        c.exec_driver_sql("ANALYZE")
        n_ed = c.exec_driver_sql("SELECT COUNT(*) FROM entity_daily").scalar()
        n_ad = c.exec_driver_sql("SELECT COUNT(*) FROM article_daily").scalar()
    engine.dispose()
    print(f"daily   refresh_daily: {n_ed:,} entity_daily, {n_ad:,} article_daily rows + ANALYZE "
          f"in {time.perf_counter() - t:.1f} s")
    size = sum(p.stat().st_size for p in out.parent.glob(out.name + "*"))
    print(f"total   {time.perf_counter() - t0:.1f} s, {size / 1e9:.2f} GB on disk ({start} to {end})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds", type=Path, default=FEEDS_DIR, help="folder of archived feed files")
    args = parser.parse_args()
    build(args.out, args.articles, args.years, args.seed, args.feeds)


if __name__ == "__main__":
    main()
