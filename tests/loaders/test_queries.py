"""The dashboard's queries against a real SQLite archive (the invented fixture archive)."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders import queries as Q
from sitroom import columns as C
from sitroom.analytics import fts_query
from tests.ui.fixture_archive import FAILED_DAY, N_DAYS, SPIKE_DAY, TODAY, XSS_TITLE, build_archive

START = TODAY - dt.timedelta(days=N_DAYS - 1)


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    engine = build_archive(tmp_path_factory.mktemp("q") / "a.sqlite")
    yield engine
    engine.dispose()


def test_summary(fx) -> None:
    s = Q.read_archive_summary(fx)
    assert s["first_day"] == START and s["last_day"] == TODAY and s["n_feeds"] == 3 and s["has_mentions"]
    with fx.connect() as conn:
        assert s["n_articles"] == conn.exec_driver_sql("SELECT COUNT(*) FROM articles").scalar()


def test_entities_carry_parsed_aliases(fx) -> None:
    e = Q.read_entities(fx).set_index(C.ENTITY_ID)
    assert "Kremlin" in e.loc["country:RU", C.ALIASES] and e.loc["country:RU", C.ISO3] == "RUS"


def test_article_daily_matches_the_articles_table_and_filters(fx) -> None:
    read = Q.read_article_daily(fx, SPIKE_DAY, SPIKE_DAY)
    with fx.connect() as conn:
        n = conn.exec_driver_sql("SELECT COUNT(*) FROM articles WHERE day = ?", (SPIKE_DAY.isoformat(),)).scalar()
        n_fr = conn.exec_driver_sql("SELECT COUNT(*) FROM articles WHERE day = ? AND language = 'fr'",
                                    (SPIKE_DAY.isoformat(),)).scalar()
    assert list(read[C.N_READ]) == [n]
    assert list(Q.read_article_daily(fx, SPIKE_DAY, SPIKE_DAY, languages=["fr"])[C.N_READ]) == [n_fr]
    by_feed = Q.read_article_daily(fx, SPIKE_DAY, SPIKE_DAY, by="feed")
    assert set(by_feed[C.FEED_NAME]) == {"Le Veilleur", "The Lookout", "Dispatch Quotidien"}
    assert by_feed[C.N_READ].sum() == n


def test_entity_daily_counts_and_the_seats_toggle(fx) -> None:
    with_seats = Q.read_entity_daily(fx, ["country:RU"], START, TODAY)
    direct = Q.read_entity_daily(fx, ["country:RU"], START, TODAY, seats=False)
    # every day: 2 fr feeds x (1 direct + 1 Kremlin-only) + 1 en direct
    assert set(with_seats[C.N_ARTICLES]) == {5} and set(direct[C.N_ARTICLES]) == {3}
    spike = Q.read_entity_daily(fx, ["country:UA"], SPIKE_DAY, SPIKE_DAY, feed_ids=[2])
    assert list(spike[C.N_ARTICLES]) == [7]  # 6 wave headlines + the script one
    assert Q.read_entity_daily(fx, [], START, TODAY).empty


def test_failed_days(fx) -> None:
    failed = Q.read_failed_days(fx, START, TODAY)
    assert [d.date() for d in failed.loc[failed[C.N_FAILED] > 0, C.DAY]] == [FAILED_DAY]
    assert Q.read_failed_days(fx, START, TODAY, feed_ids=[1])[C.N_FAILED].sum() == 0


def test_entity_totals_types_and_previous_period(fx) -> None:
    week = Q.read_entity_totals(fx, TODAY - dt.timedelta(days=6), TODAY, types=["company"])
    assert list(week[C.ENTITY_ID]) == ["company:iemz-kupol"] and week[C.N_ARTICLES].iloc[0] == 21
    before = Q.read_entity_totals(fx, TODAY - dt.timedelta(days=13), TODAY - dt.timedelta(days=7), types=["company"])
    assert before.empty


def test_entity_articles_drill_down(fx) -> None:
    arts = Q.read_entity_articles(fx, "country:UA", SPIKE_DAY, SPIKE_DAY, feed_ids=[2])
    assert len(arts) == 7 and XSS_TITLE in set(arts[C.TITLE])
    assert set(arts[C.FEED_NAME]) == {"The Lookout"}
    kremlin_only = Q.read_entity_articles(fx, "country:RU", TODAY, TODAY, languages=["fr"], seats=False)
    assert not any("Kremlin" in t for t in kremlin_only[C.TITLE])
    spans = Q.read_mention_spans(fx, list(arts[C.ARTICLE_ID]))
    assert set(spans[C.ENTITY_ID]) == {"country:UA"} and len(spans) == 7


def test_cooccurrence_and_breakdown(fx) -> None:
    co = Q.read_cooccurrence(fx, "country:FR", START, TODAY).set_index(C.ENTITY_ID)
    assert co.loc["country:RU", C.N_ARTICLES] == 3 * N_DAYS  # the joint headline in all 3 feeds each day
    assert "country:FR" not in co.index
    br = Q.read_entity_breakdown(fx, "org:nato", START, TODAY)
    assert list(br[C.FEED_NAME]) == ["The Lookout"] and list(br[C.LANG]) == ["en"]


def test_alias_hits(fx) -> None:
    hits = Q.read_alias_hits(fx, "country:RU", START, TODAY).set_index(C.ALIAS)
    assert hits.loc["Kremlin", "n_hits"] == 2 * N_DAYS and hits.loc["Kremlin", C.MATCH_KIND] == "seat_of_power"


@pytest.mark.parametrize("typed", ['drones "', "NEAR(", "AND OR NOT", "title:x", "*", "'", "ukr*", "(((", "é"])
def test_search_never_crashes_on_user_syntax(fx, typed: str) -> None:
    Q.search_articles(fx, match=fts_query(typed), start=START, end=TODAY)


def test_search_combines_text_entity_language_and_dates(fx) -> None:
    hits = Q.search_articles(fx, match=fts_query("drones"), start=SPIKE_DAY, end=SPIKE_DAY)
    assert len(hits) == 3 * 6 + 1 and XSS_TITLE in set(hits[C.TITLE])
    fr = Q.search_articles(fx, match=fts_query("drones"), start=SPIKE_DAY, end=SPIKE_DAY, languages=["fr"])
    assert len(fr) == 12
    prefix = Q.search_articles(fx, match=fts_query("koup*"), start=START, end=TODAY)
    assert prefix.empty  # the headline says "Kupol"
    kupol = Q.search_articles(fx, match=fts_query("kupol"), entity_id="company:iemz-kupol", start=START, end=TODAY)
    assert len(kupol) == 21
    assert Q.search_articles(fx, match="", entity_id="org:nato", start=TODAY, end=TODAY)[C.TITLE].str.contains("NATO").all()


def test_feed_health(fx) -> None:
    h = Q.read_feed_health(fx, today=TODAY).set_index(C.FEED_NAME)
    assert h.loc["The Lookout", "last_error_class"] == "http_5xx" and h.loc["The Lookout", C.N_FAILED] == 1
    assert h.loc["Le Veilleur", C.N_POLLS] == 30 and 0 < h.loc["Le Veilleur", C.N_NOT_MODIFIED] < 30
    assert len(h.loc["Le Veilleur", "items_per_day"]) == 30 and min(h.loc["Le Veilleur", "items_per_day"]) >= 4


def test_article_lists_are_newest_first(fx) -> None:
    for frame in (Q.read_entity_articles(fx, "country:FR", START, TODAY, limit=50),
                  Q.search_articles(fx, start=START, end=TODAY, limit=50),
                  Q.search_articles(fx, match=fts_query("ukraine"), start=START, end=TODAY, limit=50)):
        published = list(frame[C.PUBLISHED])
        assert len(published) >= 20 and published == sorted(published, reverse=True)
        assert frame[C.DAY].max() == frame[C.DAY].iloc[0]


def _totals_joined_then_grouped(engine, start, end, *, languages=(), feed_ids=(), types=(), seats=True):  # type: ignore[no-untyped-def]
    """The previous form of read_entity_totals (join, then GROUP BY): the reference for the rewrite."""
    n = "ed.n_articles" if seats else "ed.n_direct"
    sql = (f"SELECT ed.entity_id, SUM({n}) FROM entity_daily ed JOIN entities e ON e.id = ed.entity_id "
           "WHERE ed.day >= ? AND ed.day <= ?")
    params: list[object] = [start.isoformat(), end.isoformat()]
    for column, values in (("ed.language", languages), ("ed.feed_id", feed_ids), ("e.type", types)):
        if values:
            sql += f" AND {column} IN ({','.join('?' * len(values))})"
            params += list(values)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql + " GROUP BY ed.entity_id", tuple(params)).all()
    return {e: int(v) for e, v in rows if v}


@pytest.mark.parametrize("kwargs", [
    {}, {"languages": ["fr"]}, {"feed_ids": [2]}, {"types": ["country", "company"]}, {"seats": False},
    {"languages": ["en"], "feed_ids": [1, 2], "types": ["country"], "seats": False},
])
def test_entity_totals_grouped_before_the_join_equal_the_joined_form(fx, kwargs) -> None:
    totals = Q.read_entity_totals(fx, START, TODAY, **kwargs)
    assert dict(zip(totals[C.ENTITY_ID], totals[C.N_ARTICLES], strict=True)) == \
        _totals_joined_then_grouped(fx, START, TODAY, **kwargs)
    assert list(totals[C.N_ARTICLES]) == sorted(totals[C.N_ARTICLES], reverse=True)
    assert totals[C.NAME].notna().all() and set(totals.columns) >= {C.ENTITY_TYPE, C.ISO3}


@pytest.mark.parametrize("kwargs", [{}, {"languages": ["fr"]}, {"feed_ids": [2]}])
def test_search_by_entity_alone_walks_the_entity_index_with_the_same_result(fx, kwargs) -> None:
    found = Q.search_articles(fx, entity_id="country:UA", start=START, end=TODAY, limit=25, **kwargs)
    with fx.connect() as conn:  # the reference: every article of the entity with the filters, newest first
        sql = ("SELECT a.id FROM articles a WHERE a.day BETWEEN ? AND ? AND a.id IN "
               "(SELECT article_id FROM article_entities WHERE entity_id = 'country:UA')")
        params: list[object] = [START.isoformat(), TODAY.isoformat()]
        if kwargs.get("languages"):
            sql, params = sql + " AND a.language = ?", [*params, kwargs["languages"][0]]
        if kwargs.get("feed_ids"):
            sql, params = sql + " AND a.feed_id = ?", [*params, kwargs["feed_ids"][0]]
        ids = [r[0] for r in conn.exec_driver_sql(sql + " ORDER BY a.day DESC, a.published_at DESC, a.id DESC LIMIT 25",
                                                  tuple(params)).all()]
    assert list(found[C.ARTICLE_ID]) == ids and 0 < len(ids) <= 25
