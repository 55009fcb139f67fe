"""The dashboard's pure computations, on small frames whose answers are known by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sitroom import analytics as A
from sitroom import columns as C

D0 = dt.date(2026, 3, 2)  # a Monday


def day(i: int) -> pd.Timestamp:
    return pd.Timestamp(D0 + dt.timedelta(days=i))


def counts(rows: list[tuple[int, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([(day(i), e, n) for i, e, n in rows], columns=[C.DAY, C.ENTITY_ID, C.N_ARTICLES])


def read(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({C.DAY: [day(i) for i in range(len(values))], C.N_READ: values})


def test_per_1000_uses_the_same_days_denominator_and_zero_fills_quiet_days() -> None:
    out = A.mentions_over_time(counts([(0, "a", 5), (2, "a", 1)]), read([200, 100, 0]),
                               start=D0, end=D0 + dt.timedelta(days=2), entity_ids=["a"])
    assert list(out[C.N_ARTICLES]) == [5, 0, 1]
    assert list(out[C.N_READ]) == [200, 100, 0]
    assert out[C.PER_1000].iloc[0] == pytest.approx(25.0)
    assert out[C.PER_1000].iloc[1] == 0.0
    assert np.isnan(out[C.PER_1000].iloc[2])  # nothing read: no rate, not a division by zero
    raw = A.mentions_over_time(counts([(0, "a", 5)]), read([200]), start=D0, end=D0, entity_ids=["a"], per_1000=False)
    assert list(raw[C.VALUE]) == [5.0]


def test_weekly_rate_is_the_sum_of_mentions_over_the_sum_of_articles_read() -> None:
    # Week 1: 10 mentions / 1000 read (day 0: 9/100, days 1-6: 1/900); week 2 starts on day 7.
    c = counts([(0, "a", 9), (3, "a", 1), (7, "a", 2)])
    r = read([100, 150, 150, 150, 150, 150, 150, 500])
    out = A.mentions_over_time(c, r, start=D0, end=D0 + dt.timedelta(days=7), entity_ids=["a"], grain="week")
    assert list(out[C.DAY]) == [day(0), day(7)]
    assert list(out[C.N_ARTICLES]) == [10, 2]
    assert list(out[C.N_READ]) == [1000, 500]
    assert list(out[C.PER_1000]) == [10.0, 4.0]


def test_monthly_buckets_start_on_the_first() -> None:
    start, end = dt.date(2026, 1, 30), dt.date(2026, 2, 2)
    c = pd.DataFrame({C.DAY: pd.to_datetime(["2026-01-30", "2026-02-01"]), C.ENTITY_ID: "a", C.N_ARTICLES: [1, 2]})
    r = pd.DataFrame({C.DAY: pd.date_range(start, end), C.N_READ: 10})
    out = A.mentions_over_time(c, r, start=start, end=end, entity_ids=["a"], grain="month", per_1000=False)
    assert list(out[C.DAY]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    assert list(out[C.N_ARTICLES]) == [1, 2] and list(out[C.N_READ]) == [20, 20]


def test_rolling_mean_runs_within_each_entity() -> None:
    c = counts([(0, "a", 3), (1, "a", 6), (2, "a", 9), (0, "b", 100)])
    out = A.mentions_over_time(c, read([10, 10, 10]), start=D0, end=D0 + dt.timedelta(days=2),
                               entity_ids=["a", "b"], per_1000=False, rolling=2)
    assert list(out[out[C.ENTITY_ID] == "a"][C.VALUE]) == [3.0, 4.5, 7.5]
    assert list(out[out[C.ENTITY_ID] == "b"][C.VALUE]) == [100.0, 50.0, 0.0]


def test_unknown_entity_gives_a_zero_line_and_no_entity_an_empty_frame() -> None:
    out = A.mentions_over_time(counts([]), read([10]), start=D0, end=D0, entity_ids=["ghost"])
    assert list(out[C.N_ARTICLES]) == [0]
    assert A.mentions_over_time(counts([]), read([10]), start=D0, end=D0, entity_ids=[]).empty


def test_robust_spikes_flag_a_burst_and_not_noise() -> None:
    values = pd.Series([2, 3, 2, 4, 3, 2, 3, 25, 3, 2], dtype=float)
    flags = A.robust_spikes(values)
    assert list(flags[flags].index) == [7]
    assert not A.robust_spikes(pd.Series([5.0] * 10)).any()  # flat: nothing stands out
    assert list(A.robust_spikes(pd.Series([0.0] * 8 + [4.0]))) == [False] * 8 + [True]
    assert not A.robust_spikes(pd.Series([50.0, 1.0])).any()  # too little history to judge
    sparse = pd.Series([0, 0, 3, 0, 0, 0, 0, 0, 0, 3, 0, 0, 19.0])
    assert list(A.robust_spikes(sparse)[9:]) == [True, False, False, True]  # a rate has no count noise...
    assert list(A.robust_spikes(sparse, poisson=True)[9:]) == [False, False, False, True]  # ...a count has


def test_mark_spikes_needs_a_minimum_count() -> None:
    end = D0 + dt.timedelta(days=9)
    c = counts([(i, "a", 1) for i in range(9)] + [(9, "a", 2)])
    out = A.mark_spikes(A.mentions_over_time(c, read([10] * 10), start=D0, end=end, entity_ids=["a"]), min_articles=3)
    assert not out[C.SPIKE].any()  # 1 -> 2 articles doubles the rate but is not news
    c = counts([(i, "a", 1) for i in range(9)] + [(9, "a", 9)])
    out = A.mark_spikes(A.mentions_over_time(c, read([10] * 10), start=D0, end=end, entity_ids=["a"]))
    assert list(out[C.SPIKE]) == [False] * 9 + [True]


def totals(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([(e, t, e.upper(), n) for e, t, n in rows],
                        columns=[C.ENTITY_ID, C.ENTITY_TYPE, C.NAME, C.N_ARTICLES])


def test_movers_change_newcomers_and_top_per_type() -> None:
    now = totals([("fr", "country", 30), ("ru", "country", 10), ("ua", "country", 5), ("kupol", "company", 4)])
    before = totals([("fr", "country", 20), ("ru", "country", 20), ("de", "country", 50)])
    out = A.movers(now, before, top=2)
    countries = out[out[C.ENTITY_TYPE] == "country"]
    assert list(countries[C.ENTITY_ID]) == ["fr", "ru"]  # top 2 by current count; ua cut
    fr = countries.iloc[0]
    assert (fr[C.N_BEFORE], fr[C.CHANGE], fr[C.PCT_CHANGE], fr[C.NEWCOMER]) == (20, 10, 50.0, False)
    assert countries.iloc[1][C.PCT_CHANGE] == -50.0
    kupol = out[out[C.ENTITY_ID] == "kupol"].iloc[0]
    assert kupol[C.NEWCOMER] and kupol[C.N_BEFORE] == 0 and np.isnan(kupol[C.PCT_CHANGE])
    assert "de" not in set(out[C.ENTITY_ID])  # gone quiet: not a mover of this period
    rated = A.movers(now, before, read_now=2000, read_before=1000)
    fr = rated[rated[C.ENTITY_ID] == "fr"].iloc[0]
    assert (fr[C.PER_1000], fr[C.PER_1000_BEFORE]) == (15.0, 20.0)  # more articles, lower share
    assert np.isnan(out[C.PER_1000]).all()  # no denominators given: no rate
    assert A.movers(totals([]), before).empty


def test_lift_ranks_by_surprise_not_by_count() -> None:
    # 1000 articles; target in 100. "big" is everywhere (in 500, 60 together): lift 1.2.
    # "rare" is in 10, 8 of them with the target: lift 8. "once" shares 1 article: below support.
    co = pd.DataFrame({C.ENTITY_ID: ["big", "rare", "once"], C.N_ARTICLES: [60, 8, 1]})
    tot = pd.DataFrame({C.ENTITY_ID: ["big", "rare", "once"], C.N_ARTICLES: [500, 10, 1]})
    out = A.lift(co, n_target=100, totals=tot, n_total=1000, min_support=3)
    assert list(out[C.ENTITY_ID]) == ["rare", "big"]
    assert list(out[C.LIFT]) == [pytest.approx(8.0), pytest.approx(1.2)]
    assert A.lift(co, n_target=0, totals=tot, n_total=1000).empty


def test_highlight_escapes_then_marks() -> None:
    text = "<b>Paris</b> & Kremlin"
    out = A.highlight(text, [(3, 8), (15, 22)])
    assert out == "&lt;b&gt;<mark>Paris</mark>&lt;/b&gt; &amp; <mark>Kremlin</mark>"
    assert A.highlight("abcdef", [(1, 3), (2, 5), (10, 12), (4, 2)]) == "a<mark>bcde</mark>f"
    assert A.highlight("<script>", []) == "&lt;script&gt;"


def test_article_html_escapes_everything_and_refuses_script_links() -> None:
    out = A.article_html(title="<script>alert(1)</script> Kyiv", summary="a < b", url="javascript:alert(1)",
                         source="<i>Feed</i>", when="2026-01-01", language="en", title_spans=[(26, 30)])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark>Kyiv</mark>" in out
    assert "href" not in out and "&lt;i&gt;Feed" in out
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in A.article_html(
        title="t", summary="", url='https://x.example/?a=1&b="2"', source="", when="", language="")
    assert "\n" not in A.article_html(title="a\n\nb", summary="c\n\nd", url="", source="", when="", language="")


@pytest.mark.parametrize(("typed", "expected"), [
    ("drones Kyiv", '"drones" "Kyiv"'),
    ('NEAR( "unbalanced', '"NEAR" "unbalanced"'),
    ("drone*", '"drone"*'),
    ("title:x OR -y", '"title" "x" "OR" "y"'),
    ("l'Élysée", '"l\'Élysée"'),
    ("***", ""),
    ("", ""),
])
def test_fts_query_quotes_every_term(typed: str, expected: str) -> None:
    assert A.fts_query(typed) == expected


def test_search_entities_matches_any_alias_in_either_language_without_accents() -> None:
    ents = pd.DataFrame({
        C.ENTITY_ID: ["country:RU", "country:FR", "country:DE", "org:nato"],
        C.NAME: ["Russia", "France", "Germany", "NATO"],
        "name_fr": ["Russie", "France", "Allemagne", "OTAN"],
        C.ALIASES: [("Kremlin", "Moscou"), ("Élysée", "Paris"), ("Berlin",), ("Alliance atlantique",)],
    })
    assert A.search_entities(ents, "kreml") == ["country:RU"]
    assert A.search_entities(ents, "elysee") == ["country:FR"]
    assert A.search_entities(ents, "allemagne") == ["country:DE"]
    assert A.search_entities(ents, "atlantique") == ["org:nato"]  # a word of an alias
    assert A.search_entities(ents, "r", popularity={"country:FR": 100})[:2] == ["country:RU", "country:FR"]
    assert A.search_entities(ents, "") == []


def test_bucket_range() -> None:
    assert A.bucket_range(dt.date(2026, 3, 4), "week") == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert A.bucket_range(dt.date(2026, 2, 1), "month") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert A.bucket_range(dt.date(2026, 12, 5), "month") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert A.bucket_range(dt.date(2026, 3, 4), "day") == (dt.date(2026, 3, 4), dt.date(2026, 3, 4))


def test_map_values_per_1000_and_countries_only() -> None:
    tot = pd.DataFrame({C.ENTITY_ID: ["country:FR", "org:nato", "country:XX"], C.ENTITY_TYPE: ["country", "organisation", "country"],
                        C.NAME: ["France", "NATO", "Nowhere"], C.ISO3: ["FRA", "", ""], C.N_ARTICLES: [50, 10, 3]})
    out = A.map_values(tot, 2000)
    assert list(out[C.ISO3]) == ["FRA"] and out[C.VALUE].iloc[0] == 25.0
    assert A.map_values(tot, 2000, per_1000=False)[C.VALUE].iloc[0] == 50.0


def test_alias_table_lists_unmatched_aliases_with_zero_hits() -> None:
    hits = pd.DataFrame({C.ALIAS: ["Kremlin", "Russia"], C.MATCH_KIND: ["seat_of_power", "name"],
                         "n_hits": [3, 5], C.N_ARTICLES: [3, 4]})
    out = A.alias_table(("Russia", "Russie", "Kremlin"), hits)
    assert list(out[C.ALIAS]) == ["Russia", "Kremlin", "Russie"]
    assert list(out["n_hits"]) == [5, 3, 0]


def test_sparklines_fill_zeros() -> None:
    lines = A.sparklines(counts([(1, "a", 2)]), start=D0, end=D0 + dt.timedelta(days=2), entity_ids=["a"])
    assert lines == {"a": [0, 2, 0]}


def test_top_ids_respects_types() -> None:
    tot = totals([("fr", "country", 30), ("kupol", "company", 40), ("ru", "country", 10)])
    assert A.top_ids(tot, 2) == ["kupol", "fr"]
    assert A.top_ids(tot, 5, ["country"]) == ["fr", "ru"]


def test_top_groups_keeps_the_largest_and_sums_the_rest_per_day() -> None:
    days = pd.to_datetime(["2026-03-02", "2026-03-03"])
    read = pd.DataFrame([(d, f"feed {i}", (i + 1) * (k + 1)) for i in range(5) for k, d in enumerate(days)],
                        columns=[C.DAY, C.FEED_NAME, C.N_READ])
    out = A.top_groups(read, by=C.FEED_NAME, n=2)
    assert list(dict.fromkeys(out[C.FEED_NAME])) == ["feed 4", "feed 3", A.OTHER_FEEDS]  # largest first, other last
    other = out[out[C.FEED_NAME] == A.OTHER_FEEDS]
    assert list(other[C.N_READ]) == [1 + 2 + 3, 2 * (1 + 2 + 3)]  # feeds 0-2 summed per day
    assert out[C.N_READ].sum() == read[C.N_READ].sum()  # nothing lost
    assert A.top_groups(read, by=C.FEED_NAME, n=5)[C.FEED_NAME].nunique() == 5  # few groups: no "other"
    assert A.top_groups(read.iloc[:0], by=C.FEED_NAME).empty


def test_movers_display_says_new_instead_of_none() -> None:
    now = totals([("fr", "country", 30), ("kupol", "company", 4)])
    before = totals([("fr", "country", 20)])
    shown = A.movers_display(A.movers(now, before, read_now=2000, read_before=1000)).set_index(C.ENTITY_ID)
    assert (shown.loc["fr", C.PCT_CHANGE], shown.loc["kupol", C.PCT_CHANGE]) == ("+50%", "new")
    assert (shown.loc["fr", C.PER_1000_BEFORE], shown.loc["kupol", C.PER_1000_BEFORE]) == ("20.0", "0.0")
    nothing_before = A.movers_display(A.movers(now, totals([]), read_now=2000, read_before=0))
    assert set(nothing_before[C.PCT_CHANGE]) == {"new"} and set(nothing_before[C.PER_1000_BEFORE]) == {"–"}
    assert not any("None" in str(v) or "nan" in str(v) for v in nothing_before.to_numpy().ravel())
