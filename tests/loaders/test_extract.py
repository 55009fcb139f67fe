"""extract_pending on a real temporary archive, with the real gazetteer files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from loaders import db
from loaders.extract import daily_mentions_frame, extract_pending, load_matcher
from loaders.gazetteer_files import read_gazetteer
from sitroom import columns as C
from sitroom.matching import Matcher

NOW = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)

ARTICLES = [
    # (day, lang, title, summary)
    ("2024-03-01", "fr", "Kiev réclame des Patriot", "L'Ukraine demande des batteries Patriot à l'Allemagne."),
    ("2024-03-01", "fr", "Météo", "Il pleut sur la Bretagne."),
    ("2024-03-01", "en", "Kremlin silent", "The Kremlin did not comment."),
    ("2024-03-02", "en", "Ukraine and Russia talk", "Delegations from Ukraine met Russian officials."),
]


@pytest.fixture
def archive(engine):
    with db.write_tx(engine) as conn:
        feed_id = conn.execute(db.feeds.insert().values(url="http://x/feed", name="x", added_at=NOW)).inserted_primary_key[0]
        for i, (day, lang, title, summary) in enumerate(ARTICLES):
            conn.execute(db.articles.insert().values(
                uid=f"u{i}", url=f"http://x/{i}", title=title, summary=summary, published_at=NOW, day=day,
                first_seen_at=NOW, updated_at=NOW, language=lang, feed_id=feed_id,
            ))
    return engine


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return load_matcher(user_file=Path("/nonexistent/user.csv"))


def _table(engine, table):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings().all()]


def test_extracts_mentions_article_entities_and_daily_counts(archive, matcher) -> None:
    assert extract_pending(archive, matcher=matcher) == 4
    ae = {(r["article_id"], r["entity_id"]): r for r in _table(archive, db.article_entities)}
    assert ae[(1, "country:UA")]["n_hits"] == 2  # Kiev (capital) + Ukraine (name)
    assert ae[(1, "country:UA")]["via_seat_only"] is False
    assert ae[(1, "country:DE")]["n_hits"] == 1
    assert (1, "weapon:mim-104-patriot") in ae
    assert ae[(3, "country:RU")]["via_seat_only"] is True  # only "the Kremlin" named Russia
    assert ae[(3, "country:RU")]["day"] == "2024-03-01" and ae[(3, "country:RU")]["language"] == "en"
    assert not [k for k in ae if k[0] == 2]
    mentions = _table(archive, db.mentions)
    kiev = next(m for m in mentions if m["article_id"] == 1 and m["alias"] == "Kiev")
    assert (kiev["field"], kiev["start"], kiev["end"], kiev["match_kind"]) == ("title", 0, 4, "capital")
    assert {m["gazetteer_version"] for m in mentions} == {matcher.version}
    with archive.connect() as conn:
        assert {r[0] for r in conn.execute(select(db.articles.c.extracted_version))} == {matcher.version}
        assert db.get_meta(conn, "gazetteer_version") == matcher.version
        n_entities = conn.execute(select(func.count()).select_from(db.entities)).scalar()
        ua = conn.execute(select(db.entities).where(db.entities.c.id == "country:UA")).mappings().one()
    assert n_entities == len(matcher.gazetteer.entities)
    assert ua["iso2"] == "UA" and ua["iso3"] == "UKR" and "Kyiv" in ua["aliases"]

    daily = {(r["day"], r["entity_id"], r["language"]): r for r in _table(archive, db.entity_daily)}
    assert daily[("2024-03-01", "country:RU", "en")]["n_articles"] == 1
    assert daily[("2024-03-01", "country:RU", "en")]["n_direct"] == 0
    assert daily[("2024-03-02", "country:RU", "en")]["n_direct"] == 1


def test_second_run_does_nothing_and_changes_nothing(archive, matcher) -> None:
    extract_pending(archive, matcher=matcher)
    before = (_table(archive, db.mentions), _table(archive, db.article_entities), _table(archive, db.entity_daily))
    assert extract_pending(archive, matcher=matcher) == 0
    after = (_table(archive, db.mentions), _table(archive, db.article_entities), _table(archive, db.entity_daily))
    assert before == after


def test_all_re_extracts_every_article_without_duplicating_rows(archive, matcher) -> None:
    extract_pending(archive, matcher=matcher)
    n_mentions = len(_table(archive, db.mentions))
    assert extract_pending(archive, matcher=matcher, all_articles=True) == 4
    assert len(_table(archive, db.mentions)) == n_mentions


def test_user_alias_changes_version_and_is_picked_up(archive, tmp_path) -> None:
    user = tmp_path / "custom.csv"
    base = load_matcher(user_file=user)  # file absent
    extract_pending(archive, matcher=base)
    assert not [r for r in _table(archive, db.article_entities) if r["entity_id"] == "country:FR"]
    user.write_text("entity_id,alias,lang,kind,case\ncountry:FR,Bretagne,fr,alias,capitalised\n", encoding="utf-8")
    custom = load_matcher(user_file=user)
    assert custom.version != base.version
    assert extract_pending(archive, matcher=custom) == 4  # every article is stale
    fr = [r for r in _table(archive, db.article_entities) if r["entity_id"] == "country:FR"]
    assert [r["article_id"] for r in fr] == [2]
    assert {r["gazetteer_version"] for r in _table(archive, db.mentions)} == {custom.version}


def test_new_user_entity_reaches_the_entities_table(tmp_path) -> None:
    user = tmp_path / "custom.csv"
    user.write_text(
        "entity_id,type,name_en,alias,kind,case\n"
        "company:acme-drones,company,Acme Drones,Acme Drones,name,capitalised\n"
        "company:acme-drones,,,ACME,alias,exact\n",
        encoding="utf-8",
    )
    g = read_gazetteer(user_file=user)
    acme = g.by_id()["company:acme-drones"]
    assert acme.name_en == "Acme Drones" and [a.text for a in acme.aliases] == ["Acme Drones", "ACME"]
    m = Matcher.from_gazetteer(g)
    assert [x.entity_id for x in m.find_mentions("ACME ships drones", "")] == ["company:acme-drones", "weapon_class:drone"]


def test_killed_run_resumes(archive, matcher, monkeypatch) -> None:
    import loaders.extract as ex

    calls = {"n": 0}
    real = ex.write_batch

    def dying(conn, batch, results, version):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(conn, batch, results, version)

    monkeypatch.setattr(ex, "write_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        extract_pending(archive, matcher=matcher, batch=2)
    with archive.connect() as conn:
        done = conn.execute(select(func.count()).where(db.articles.c.extracted_version == matcher.version)).scalar()
    assert done == 2  # the first batch committed, the second rolled back
    monkeypatch.setattr(ex, "write_batch", real)
    assert extract_pending(archive, matcher=matcher, batch=2) == 2
    fresh = _table(archive, db.article_entities)
    assert extract_pending(archive, matcher=matcher, all_articles=True) == 4
    assert sorted(map(str, fresh)) == sorted(map(str, _table(archive, db.article_entities)))


def test_daily_mentions_frame(archive, matcher) -> None:
    extract_pending(archive, matcher=matcher)
    frame = daily_mentions_frame(archive)
    assert list(frame.columns) == list(C.DAILY_MENTION_COLUMNS)
    ru = frame[(frame[C.ENTITY_ID] == "country:RU")].set_index([C.DAY, C.LANG])
    assert ru.loc[(dt.datetime(2024, 3, 1), "en"), C.N_ARTICLES] == 1
    assert ru.loc[(dt.datetime(2024, 3, 1), "en"), C.N_READ] == 1
    ua = frame[(frame[C.ENTITY_ID] == "country:UA")].set_index([C.DAY, C.LANG])
    assert ua.loc[(dt.datetime(2024, 3, 1), "fr"), C.N_ARTICLES] == 1
    assert ua.loc[(dt.datetime(2024, 3, 1), "fr"), C.N_READ] == 2  # the weather article was read too
    assert ua.loc[(dt.datetime(2024, 3, 1), "fr"), C.NAME] == "Ukraine"
    assert ua.loc[(dt.datetime(2024, 3, 1), "fr"), C.ISO2] == "UA"
    only_2nd = daily_mentions_frame(archive, start=dt.date(2024, 3, 2), end="2024-03-02")
    assert set(only_2nd[C.DAY]) == {dt.datetime(2024, 3, 2)}
    assert frame[C.N_ARTICLES].dtype == "int64"


def test_daily_mentions_frame_empty_archive(engine) -> None:
    frame = daily_mentions_frame(engine)
    assert frame.empty and list(frame.columns) == list(C.DAILY_MENTION_COLUMNS)


def test_user_file_in_jsonl_format(tmp_path) -> None:
    user = tmp_path / "custom.jsonl"
    user.write_text(
        '{"id": "country:UA", "type": "country", "aliases": [{"text": "Oukraïna", "lang": "fr", "kind": "alias"}]}\n',
        encoding="utf-8",
    )
    m = Matcher.from_gazetteer(read_gazetteer(user_file=user))
    assert [x.entity_id for x in m.find_mentions("Oukraïna", "", "fr")] == ["country:UA"]
    # The alias was added to the existing entity, which keeps its names and codes.
    ua = m.gazetteer.by_id()["country:UA"] if m.gazetteer else None
    assert ua is not None and ua.iso3 == "UKR" and ua.aliases[-1].text == "Oukraïna"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("entity_id,alias,kind\ncountry:FR,Hexagone,nickname\n", "unknown kind"),
        ("entity_id,alias,case\ncountry:FR,Hexagone,shouty\n", "unknown case policy"),
        ("entity_id,alias,rule\ncountry:FR,Hexagone,no_such_rule\n", "unknown rule"),
        ("name,alias\nFrance,Hexagone\n", "missing column"),
        ("entity_id,type,alias\nplanet:mars,planet,Mars\n", "unknown type"),
    ],
)
def test_bad_user_file_is_refused_with_the_reason(tmp_path, content: str, message: str) -> None:
    from loaders.gazetteer_files import GazetteerFileError

    user = tmp_path / "custom.csv"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerFileError, match=message):
        read_gazetteer(user_file=user)
