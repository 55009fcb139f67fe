"""A small invented archive for the dashboard's tests, written through `loaders.db`'s tables.

Every headline is invented. Days are relative to today (UTC) so that the default period
(last 90 days) always shows data. What the tests can rely on:

- 3 feeds: 1 "Le Veilleur" (fr), 2 "The Lookout" (en), 3 "Dispatch Quotidien" (fr)
- 60 days ending today; every day each feed carries articles; France and Russia every day,
  Ukraine mostly quiet with a burst on SPIKE_DAY (today - 3)
- company:iemz-kupol only in the last 7 days (a newcomer against the previous week)
- article "<script>alert('x')</script> Ukraine: drones" on SPIKE_DAY (escaping tests)
- the capital "Kremlin" names Russia in some articles only through the seat of power
- fetch_log: a failed poll of feed 2 on FAILED_DAY (today - 10)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine

from loaders import db

TODAY = dt.datetime.now(dt.UTC).date()
N_DAYS = 60
SPIKE_DAY = TODAY - dt.timedelta(days=3)
FAILED_DAY = TODAY - dt.timedelta(days=10)
XSS_TITLE = "<script>alert('x')</script> Ukraine: drones over the river"

ENTITIES = [
    # id, type, name_en, name_fr, iso2, iso3, aliases
    ("country:FR", "country", "France", "France", "FR", "FRA", ["France", "French", "français", "Paris", "Élysée"]),
    ("country:RU", "country", "Russia", "Russie", "RU", "RUS", ["Russia", "Russie", "Russian", "russe", "Kremlin"]),
    ("country:UA", "country", "Ukraine", "Ukraine", "UA", "UKR", ["Ukraine", "Ukrainian", "ukrainien", "Kyiv", "Kiev"]),
    ("country:DE", "country", "Germany", "Allemagne", "DE", "DEU", ["Germany", "Allemagne", "German", "allemand"]),
    ("company:iemz-kupol", "company", "IEMZ Kupol", "IEMZ Koupol", "", "", ["IEMZ Kupol", "Koupol", "Kupol"]),
    ("weapon:patriot", "weapon", "Patriot", "Patriot", "", "", ["Patriot", "MIM-104"]),
    ("org:nato", "organisation", "NATO", "OTAN", "", "", ["NATO", "OTAN", "Alliance atlantique"]),
    ("person:vladimir-putin", "person", "Vladimir Putin", "Vladimir Poutine", "", "", ["Putin", "Poutine"]),
]

FEEDS = [
    (1, "https://veilleur.example/rss", "Le Veilleur", "fr", "Veilleur SA"),
    (2, "https://lookout.example/feed.xml", "The Lookout", "en", "Lookout Media"),
    (3, "https://quotidien.example/atom", "Dispatch Quotidien", "fr", "Quotidien Group"),
]

# (template, entity ids and the alias each uses, seat-only entity ids)
TEMPLATES_FR = [
    ("La France et la Russie échangent des notes sur la frontière", [("country:FR", "France"), ("country:RU", "Russie")], []),
    ("Le Kremlin dément toute manœuvre près de la côte", [("country:RU", "Kremlin")], ["country:RU"]),
    ("Paris accueille un sommet sur les ports du nord", [("country:FR", "Paris")], ["country:FR"]),
    ("Un rapport sur les marchés agricoles en Allemagne", [("country:DE", "Allemagne")], []),
]
TEMPLATES_EN = [
    ("France and Russia trade notes over the border", [("country:FR", "France"), ("country:RU", "Russia")], []),
    ("NATO ministers meet to discuss the Patriot order", [("org:nato", "NATO"), ("weapon:patriot", "Patriot")], []),
    ("Putin speaks about grain exports", [("person:vladimir-putin", "Putin")], []),
    ("A quiet day for the weather desk", [], []),
]


def _spans(title: str, used: list[tuple[str, str]]) -> list[tuple[str, str, int, int]]:
    out = []
    for entity_id, alias in used:
        start = title.find(alias)
        assert start >= 0, (title, alias)
        out.append((entity_id, alias, start, start + len(alias)))
    return out


def build_archive(path: Path, *, today: dt.date = TODAY) -> Engine:
    """Write the invented archive to `path` (a new SQLite file) and return an engine on it."""
    engine = db.make_engine(path)
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    spike_day = today - dt.timedelta(days=3)
    failed_day = today - dt.timedelta(days=10)
    with db.write_tx(engine) as conn:
        for entity_id, etype, name_en, name_fr, iso2, iso3, aliases in ENTITIES:
            conn.execute(db.entities.insert().values(
                id=entity_id, type=etype, name_en=name_en, name_fr=name_fr, iso2=iso2, iso3=iso3,
                aliases=json.dumps(aliases, ensure_ascii=False)))
        for feed_id, url, name, lang, publisher in FEEDS:
            conn.execute(db.feeds.insert().values(
                id=feed_id, url=url, name=name, language=lang, publisher=publisher, added_at=now - dt.timedelta(days=90),
                last_fetch_at=now, last_success_at=now if feed_id != 2 else now - dt.timedelta(days=10),
                last_error_at=now if feed_id == 2 else None,
                last_error_class="http_5xx" if feed_id == 2 else "",
                last_error="503 Service Unavailable" if feed_id == 2 else "",
                consecutive_failures=1 if feed_id == 2 else 0))
        n = 0
        for offset in range(N_DAYS):
            day = today - dt.timedelta(days=N_DAYS - 1 - offset)
            for feed_id, _url, _name, lang, _pub in FEEDS:
                templates = list(TEMPLATES_FR if lang == "fr" else TEMPLATES_EN)
                extra: list[tuple[str, list[tuple[str, str]], list[str]]] = []
                if day == spike_day:
                    extra += [(f"Ukraine: nouvelle vague de drones, bilan {i}" if lang == "fr"
                               else f"Ukraine reports a new wave of drones, update {i}",
                               [("country:UA", "Ukraine")], []) for i in range(6)]
                    if feed_id == 2:
                        extra.append((XSS_TITLE, [("country:UA", "Ukraine")], []))
                elif offset % 9 == 0:
                    extra.append(("Ukraine: discussions sur le blé" if lang == "fr" else "Ukraine grain talks resume",
                                  [("country:UA", "Ukraine")], []))
                if (today - day).days < 7:
                    extra.append(("Des experts chez IEMZ Kupol selon un témoin" if lang == "fr"
                                  else "Engineers seen at IEMZ Kupol plant",
                                  [("company:iemz-kupol", "IEMZ Kupol")], []))
                for k, (title, used, seat_only) in enumerate(templates + extra):
                    n += 1
                    published = dt.datetime.combine(day, dt.time(6 + k % 12, 5 * feed_id), tzinfo=dt.UTC)
                    summary = f"Résumé inventé numéro {n}." if lang == "fr" else f"Invented summary number {n}."
                    article_id = conn.execute(db.articles.insert().values(
                        uid=f"uid{n:06d}", url=f"https://{_url.split('/')[2]}/a/{n}", title=title, summary=summary,
                        published_at=published, day=day.isoformat(), first_seen_at=published, updated_at=published,
                        language=lang, feed_id=feed_id, extracted_version="test")).inserted_primary_key[0]
                    conn.execute(db.sightings.insert().values(article_id=article_id, feed_id=feed_id,
                                                              first_seen_at=published, last_seen_at=published))
                    hits: dict[str, int] = {}
                    for entity_id, alias, start, end in _spans(title, used):
                        hits[entity_id] = hits.get(entity_id, 0) + 1
                        conn.execute(db.mentions.insert().values(
                            article_id=article_id, entity_id=entity_id, field="title", alias=alias, start=start,
                            end=end, match_kind="seat_of_power" if entity_id in seat_only else "name",
                            gazetteer_version="test"))
                    for entity_id, n_hits in hits.items():
                        conn.execute(db.article_entities.insert().values(
                            article_id=article_id, entity_id=entity_id, day=day.isoformat(), language=lang,
                            feed_id=feed_id, n_hits=n_hits, via_seat_only=entity_id in seat_only,
                            gazetteer_version="test"))
        for offset in range(N_DAYS):
            day = today - dt.timedelta(days=N_DAYS - 1 - offset)
            for feed_id, *_ in FEEDS:
                started = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
                failed = feed_id == 2 and day == failed_day
                conn.execute(db.fetch_log.insert().values(
                    feed_id=feed_id, started_at=started, finished_at=started + dt.timedelta(seconds=2),
                    status=503 if failed else (304 if offset % 2 else 200), bytes=0 if failed else 5000,
                    not_modified=bool(offset % 2) and not failed, n_new=0,
                    error_class="http_5xx" if failed else "", error_message="503 Service Unavailable" if failed else ""))
        db.refresh_daily(conn)
    return engine


def build_empty_archive(path: Path) -> Engine:
    return db.make_engine(path)
