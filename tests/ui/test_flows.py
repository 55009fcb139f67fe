"""Flows through the real pages on the fixture archive: widgets change the data and the URL,
deep links restore the view, bad URLs fall back and are cleaned."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from sitroom import columns as C
from tests.ui.conftest import APP
from tests.ui.fixture_archive import SPIKE_DAY, XSS_TITLE

TIMEOUT = 90


def app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page:
        at.run()
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_data(at: AppTest) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if C.VALUE in d.value.columns and C.ENTITY_ID in d.value.columns]
    assert frames, "no chart data table on the page"
    return frames[0]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_period_change_changes_data_and_url(archive) -> None:
    at = app()
    before = chart_data(at)
    at.selectbox(key="f_period").set_value("7d").run()
    assert at.query_params == {"period": "7d"}
    after = chart_data(at)
    assert after[C.DAY].nunique() == 7 < before[C.DAY].nunique()


def test_raw_toggle_switches_the_plotted_value(archive) -> None:
    at = app({"e": "country:RU"})
    per_1000 = chart_data(at)
    assert (per_1000[C.VALUE].dropna() == per_1000[C.PER_1000].dropna()).all()
    at.radio(key="f_norm").set_value("raw").run()
    assert at.query_params["norm"] == "raw"
    raw = chart_data(at)
    assert list(raw[C.VALUE]) == [float(n) for n in raw[C.N_ARTICLES]]


def test_entity_search_by_alias_and_selection_write_the_url(archive) -> None:
    at = app()
    at.text_input(key="f_find").input("kreml").run()
    assert [o for o in at.multiselect(key="f_entities").options if "Russia" in o]
    at.multiselect(key="f_entities").set_value(["country:RU"]).run()
    assert at.query_params["e"] == "country:RU"
    assert set(chart_data(at)[C.ENTITY_ID]) == {"country:RU"}
    at.text_input(key="f_find").input("otan").run()  # the French alias finds NATO; Russia stays chosen
    at.multiselect(key="f_entities").set_value(["country:RU", "org:nato"]).run()
    assert at.query_params["e"] == "country:RU,org:nato"
    assert set(chart_data(at)[C.ENTITY_ID]) == {"country:RU", "org:nato"}


def test_language_filter_changes_the_denominator(archive) -> None:
    at = app({"e": "country:FR"})
    all_read = chart_data(at)[C.N_READ].sum()
    at.multiselect(key="f_lang").set_value(["en"]).run()
    assert at.query_params["lang"] == "en"
    en_read = chart_data(at)[C.N_READ].sum()
    assert 0 < en_read < all_read


def test_seats_toggle_counts_only_direct_mentions(archive) -> None:
    at = app({"e": "country:RU", "norm": "raw", "period": "7d"})
    with_seats = chart_data(at)[C.N_ARTICLES].sum()
    at.toggle(key="f_seats").set_value(False).run()
    assert at.query_params["seats"] == "0"
    assert chart_data(at)[C.N_ARTICLES].sum() == with_seats * 3 // 5


def test_deep_link_restores_filters_and_widgets(archive) -> None:
    query = {"period": "30d", "e": "country:UA,org:nato", "norm": "raw", "grain": "week", "lang": "en", "roll": "2"}
    at = app(query)
    assert at.selectbox(key="f_period").value == "30d"
    assert at.multiselect(key="f_entities").value == ["country:UA", "org:nato"]
    assert at.radio(key="f_norm").value == "raw" and at.radio(key="f_grain").value == "week"
    assert at.multiselect(key="f_lang").value == ["en"]
    assert at.number_input(key="f_roll").value == 2
    assert at.query_params == query  # nothing rewritten
    data = chart_data(at)
    assert set(data[C.ENTITY_ID]) == {"country:UA", "org:nato"}
    assert (pd.to_datetime(data[C.DAY]).dt.day_of_week == 0).all()  # weekly buckets start on Monday


def test_bad_query_values_fall_back_and_are_cleaned_from_the_url(archive) -> None:
    at = app({"period": "forever", "lang": "xx", "e": "country:ZZ,<b>", "roll": "abc", "norm": "log",
              "feed": "999", "junk": "1", "day": "2026-13-45"})
    assert at.query_params == {}
    assert at.selectbox(key="f_period").value == "90d"


def test_clicked_day_deep_link_lists_escaped_articles(archive) -> None:
    at = app({"e": "country:UA", "entity": "country:UA", "day": SPIKE_DAY.isoformat(), "feed": "2"})
    body = markdown(at)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<script>" not in body
    assert "<mark>Ukraine</mark>" in body
    assert any(s.value.startswith("Ukraine (country): articles of") for s in at.subheader)
    at.button(key="clear_pick").click().run()
    assert "day" not in at.query_params and "entity" not in at.query_params
    assert XSS_TITLE.split(">")[-1] not in markdown(at)


def test_spike_is_marked_on_the_burst_day(archive) -> None:
    at = app({"e": "country:UA"})
    data = chart_data(at)
    spikes = data[data[C.SPIKE]]
    assert list(pd.to_datetime(spikes[C.DAY]).dt.date) == [SPIKE_DAY]


def test_navigation_links_carry_the_shared_filters(archive) -> None:
    at = app({"period": "7d", "e": "country:FR", "entity": "country:FR", "day": SPIKE_DAY.isoformat()})
    links = {link.value: link.proto.query_string for link in at.page_link}
    assert set(links) >= {"Trends", "Movers", "Entity profile", "Map", "Articles", "Sources"}
    assert all("period=7d" in q and "e=country%3AFR" in q for q in links.values())
    assert not any("day=" in q for q in links.values())  # page-specific keys stay on their page


def test_profile_deep_link(archive) -> None:
    at = app({"entity": "country:FR"}, page="pages/2_Entity.py")
    assert at.selectbox(key="f_entity").value == "country:FR"
    heads = {s.value for s in at.subheader}
    assert {"Co-mentioned (by lift)", "Aliases and their hits", "Recent articles"} <= heads
    aliases = next(d.value for d in at.dataframe if C.ALIAS in d.value.columns)
    assert aliases.set_index(C.ALIAS).loc["Paris", "n_hits"] > 0
    assert "<mark>" in markdown(at)
    assert at.query_params["entity"] == "country:FR"


def test_profile_picker_writes_the_entity(archive) -> None:
    at = app(page="pages/2_Entity.py")
    at.selectbox(key="f_entity").set_value("org:nato").run()
    assert at.query_params == {"entity": "org:nato"}
    assert "Aliases and their hits" in {s.value for s in at.subheader}


def test_article_search_with_syntax_characters_never_crashes(archive) -> None:
    at = app(page="pages/4_Articles.py")
    at.text_input(key="f_q").input('drones "NEAR(').run()
    assert not at.exception
    assert at.query_params["q"] == 'drones "NEAR('
    at.text_input(key="f_q").input("drones").run()
    assert "19 article(s)" in captions(at)
    assert "&lt;script&gt;" in markdown(at) and "<script>" not in markdown(at)


def test_movers_flags_the_newcomer(archive) -> None:
    at = app({"period": "7d"}, page="pages/1_Movers.py")
    companies = [d.value for d in at.dataframe if C.NEWCOMER in d.value.columns
                 and "profile" in d.value.columns and d.value["profile"].str.contains("company").any()]
    assert companies and bool(companies[0][C.NEWCOMER].iloc[0]) is True
    assert "Entity?" in companies[0]["profile"].iloc[0] and "period=7d" in companies[0]["profile"].iloc[0]


def test_sources_add_feed_validates(archive) -> None:
    at = app(page="pages/5_Sources.py")
    form_inputs = [t for t in at.text_input if t.label.startswith("Feed URL")]
    form_inputs[0].input("ftp://nope")
    at.button[[b.label for b in at.button].index("Add")].click().run()
    assert any("http(s)" in e.value for e in at.error)


def test_custom_period_deep_link(archive) -> None:
    start, end = SPIKE_DAY - pd.Timedelta(days=5), SPIKE_DAY
    at = app({"period": "custom", "from": start.isoformat(), "to": end.isoformat(), "e": "country:UA"})
    assert at.selectbox(key="f_period").value == "custom"
    assert tuple(at.date_input(key="f_range").value) == (start, end)
    days = pd.to_datetime(chart_data(at)[C.DAY]).dt.date
    assert (days.min(), days.max()) == (start, end)
    assert at.query_params["from"] == start.isoformat()


def test_feed_filter_is_labelled_with_the_publisher(archive) -> None:
    at = app({"feed": "2", "e": "country:UA"})
    assert at.multiselect(key="f_feed").value == [2]
    assert "The Lookout · Lookout Media" in at.multiselect(key="f_feed").options
    one_feed = chart_data(at)[C.N_READ].sum()
    all_feeds = chart_data(app({"e": "country:UA"}))[C.N_READ].sum()
    assert 0 < one_feed < all_feeds


def test_more_entities_than_the_picker_holds_are_cut_not_a_crash(archive, monkeypatch) -> None:
    import ui.widgets

    monkeypatch.setattr(ui.widgets, "MAX_COMPARED", 2)
    at = app({"e": "country:FR,country:RU,country:UA"})
    assert at.multiselect(key="f_entities").value == ["country:FR", "country:RU"]
    assert at.query_params["e"] == "country:FR,country:RU"


def test_the_map_draws_only_the_chart_controls_it_uses(archive) -> None:
    at = app({"grain": "week", "roll": "7"}, page="pages/3_Map.py")
    assert [r.key for r in at.sidebar.radio] == ["f_norm"]  # no Granularity: a map has no time axis
    assert not [n for n in at.sidebar.number_input if n.key == "f_roll"]  # no Rolling mean
    assert (at.query_params["grain"], at.query_params["roll"]) == ("week", "7")  # kept for the next page
    trends = app({"grain": "week"})
    assert {"f_norm", "f_grain"} <= {r.key for r in trends.sidebar.radio}


def test_trends_draws_one_denominator_breakdown_at_a_time(archive) -> None:
    at = app()
    assert at.radio(key="denominator_by").value == "language"
    at.radio(key="denominator_by").set_value("feed").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="denominator_by").value == "feed"
