"""A small invented archive for the browser tests: two feeds (FR, EN), 60 days, a few entities.

Every headline is invented here (no outlet text). The archive ends today (UTC) so that the
dashboard's default period shows it. One article carries a `<script>` title, to check that the
pages render titles as text.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from sqlalchemy import insert

from loaders import db

DAYS = 60
GAZETTEER_VERSION = "fixture-1"
SCRIPT_TITLE = '<script>alert("x")</script>Ukraine talks'

# id, type, English name, French name, iso2, iso3, aliases
ENTITIES = (
    ("country:UA", "country", "Ukraine", "Ukraine", "UA", "UKR", ["Ukraine", "Kyiv", "Kiev", "ukrainien"]),
    ("country:RU", "country", "Russia", "Russie", "RU", "RUS", ["Russia", "Russie", "Moscow", "Moscou"]),
    ("country:FR", "country", "France", "France", "FR", "FRA", ["France", "Paris", "French"]),
    ("country:CN", "country", "China", "Chine", "CN", "CHN", ["China", "Chine", "Beijing", "Pékin"]),
    ("company:airbus", "company", "Airbus", "Airbus", "", "", ["Airbus"]),
    ("weapon:f-16", "weapon", "F-16", "F-16", "", "", ["F-16"]),
    ("organisation:nato", "organisation", "NATO", "OTAN", "", "", ["NATO", "OTAN"]),
)

# (template, entity ids): invented headlines, {n} keeps titles distinct
EN_TEMPLATES = (
    ("Ukraine and Russia hold a new round of grain corridor talks {n}", ("country:UA", "country:RU")),
    ("China signals interest in a Ukraine reconstruction fund {n}", ("country:CN", "country:UA")),
    ("NATO ministers weigh more F-16 training slots {n}", ("organisation:nato", "weapon:f-16")),
    ("Airbus opens a satellite plant outside Toulouse in France {n}", ("company:airbus", "country:FR")),
    ("Russia expands naval drills in the Baltic {n}", ("country:RU",)),
    ("Local elections: turnout questions in a coastal town {n}", ()),
)
FR_TEMPLATES = (
    ("L'Ukraine et la Russie reprennent des pourparlers techniques {n}", ("country:UA", "country:RU")),
    ("La France accueille un sommet sur l'énergie {n}", ("country:FR",)),
    ("La Chine et la France signent un accord agricole {n}", ("country:CN", "country:FR")),
    ("L'OTAN prépare un exercice aérien avec des F-16 {n}", ("organisation:nato", "weapon:f-16")),
    ("Airbus annonce des embauches à Toulouse {n}", ("company:airbus",)),
    ("Météo : un automne doux sur la façade atlantique {n}", ()),
)


def last_day() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def build_fixture_archive(path: Path, *, days: int = DAYS, seed: int = 7) -> Path:
    """Write the archive at `path` (a fresh SQLite file) and return it."""
    rng = random.Random(seed)
    engine = db.make_engine(path)
    now = db.utcnow()
    end = last_day()
    try:
        with db.write_tx(engine) as conn:
            feed_ids = {}
            for lang, name, url in (("en", "Invented World Desk", "http://127.0.0.1:9/en.xml"),
                                    ("fr", "Le Quotidien Imaginaire", "http://127.0.0.1:9/fr.xml")):
                feed_ids[lang] = conn.execute(insert(db.feeds).values(
                    url=url, name=name, language=lang, publisher=name, added_at=now,
                    last_fetch_at=now, last_success_at=now,
                )).inserted_primary_key[0]
            conn.execute(insert(db.entities), [
                {"id": eid, "type": kind, "name_en": en, "name_fr": fr, "iso2": iso2, "iso3": iso3,
                 "aliases": json.dumps(aliases)}
                for eid, kind, en, fr, iso2, iso3, aliases in ENTITIES
            ])
            n = 0
            articles: list[dict[str, object]] = []
            links: list[tuple[int, tuple[str, ...]]] = []
            for offset in range(days):
                day = end - dt.timedelta(days=days - 1 - offset)
                # a spike of Ukraine stories ten days before the end
                boost = 3 if offset == days - 10 else 1
                for lang, templates in (("en", EN_TEMPLATES), ("fr", FR_TEMPLATES)):
                    for _ in range(rng.randint(3, 5) * boost):
                        template, ents = templates[rng.randrange(len(templates))] if boost == 1 else templates[0]
                        n += 1
                        published = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.randint(0, 59)),
                                                        tzinfo=dt.UTC)
                        articles.append(_article(n, template.format(n=n), lang, published, feed_ids[lang], now))
                        links.append((n, ents))
            # the hostile title, two days before the end, in English
            n += 1
            published = dt.datetime.combine(end - dt.timedelta(days=2), dt.time(12, 0), tzinfo=dt.UTC)
            articles.append(_article(n, SCRIPT_TITLE, "en", published, feed_ids["en"], now))
            links.append((n, ("country:UA",)))
            conn.execute(insert(db.articles), articles)
            by_id = {int(a["id"]): a for a in articles}  # type: ignore[call-overload]
            ae_rows, mention_rows = [], []
            for article_id, ents in links:
                a = by_id[article_id]
                for eid in ents:
                    alias, start = _find_alias(str(a["title"]), eid)
                    ae_rows.append({"article_id": article_id, "entity_id": eid, "day": a["day"],
                                    "language": a["language"], "feed_id": a["feed_id"], "n_hits": 1,
                                    "via_seat_only": False, "gazetteer_version": GAZETTEER_VERSION})
                    mention_rows.append({"article_id": article_id, "entity_id": eid, "field": "title",
                                         "alias": alias, "start": start, "end": start + len(alias),
                                         "match_kind": "name", "gazetteer_version": GAZETTEER_VERSION})
            conn.execute(insert(db.article_entities), ae_rows)
            conn.execute(insert(db.mentions), mention_rows)
            conn.execute(insert(db.sightings), [
                {"article_id": a["id"], "feed_id": a["feed_id"], "guid": a["url"], "first_seen_at": now,
                 "last_seen_at": now} for a in articles
            ])
            db.set_meta(conn, "gazetteer_version", GAZETTEER_VERSION)
            db.refresh_daily(conn)
    finally:
        engine.dispose()
    return path


def _find_alias(title: str, entity_id: str) -> tuple[str, int]:
    """The first alias of the entity found in the title, and where (the mention's span)."""
    aliases = next(e[6] for e in ENTITIES if e[0] == entity_id)
    for alias in aliases:
        start = title.find(alias)
        if start >= 0:
            return alias, start
    raise ValueError(f"fixture headline {title!r} does not name {entity_id}")


def _article(n: int, title: str, lang: str, published: dt.datetime, feed_id: int, now: dt.datetime) -> dict[str, object]:
    return {
        "id": n, "uid": f"fixture-{n:05d}", "url": f"https://news.invalid/{lang}/{n}",
        "title": title, "summary": f"Invented summary number {n} for the Sitroom browser tests.",
        "published_at": published, "published_raw": published.isoformat(), "published_estimated": False,
        "day": published.date().isoformat(), "first_seen_at": published, "updated_at": now,
        "language": lang, "author": "", "categories": "[]", "feed_id": feed_id,
        "extracted_version": GAZETTEER_VERSION,
    }


if __name__ == "__main__":
    import sys

    print(build_fixture_archive(Path(sys.argv[1])))
