"""Figure builders, tested by structure: traces, data, axis titles, shapes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sitroom import analytics as A
from sitroom import columns as C
from sitroom import figures as F

D0 = dt.date(2026, 3, 2)


def series(spike: bool = True) -> pd.DataFrame:
    days = pd.date_range(D0, periods=10)
    values = [1] * 9 + [20 if spike else 1]
    c = pd.DataFrame({C.DAY: list(days) * 2, C.ENTITY_ID: ["country:FR"] * 10 + ["org:nato"] * 10,
                      C.N_ARTICLES: values + [2] * 10})
    r = pd.DataFrame({C.DAY: days, C.N_READ: 100})
    return A.mark_spikes(A.mentions_over_time(c, r, start=D0, end=D0 + dt.timedelta(days=9),
                                              entity_ids=["country:FR", "org:nato"]))


def test_trends_figure_has_one_line_per_entity_named_and_clickable() -> None:
    fig = F.trends_figure(series(spike=False), {"country:FR": "France", "org:nato": "NATO"})
    assert [t.name for t in fig.data] == ["France", "NATO"]
    assert all(t.mode == "lines+markers" for t in fig.data)
    assert list(fig.data[0].y) == [10.0] * 10
    assert fig.data[0].customdata[0][0] == "country:FR"  # a click maps back to the entity
    assert fig.layout.yaxis.title.text == F.Y_TITLES["per1000"]
    assert fig.layout.xaxis.title.text == "Day"


def test_trends_figure_marks_spikes_and_titles_raw_counts() -> None:
    fig = F.trends_figure(series(), {"country:FR": "France"}, norm="raw", grain="week")
    spikes = [t for t in fig.data if t.name.endswith("spike")]
    assert len(spikes) == 1 and spikes[0].name == "France: spike"
    assert list(spikes[0].y) == [200.0]
    assert spikes[0].customdata[0][0] == "country:FR"
    assert fig.layout.yaxis.title.text == F.Y_TITLES["raw"]
    assert fig.layout.xaxis.title.text.startswith("Week")


def test_denominator_figure_stacks_and_shades_failed_days() -> None:
    read = pd.DataFrame({C.DAY: pd.to_datetime(["2026-03-02", "2026-03-02", "2026-03-03"]),
                         C.LANG: ["en", "fr", "fr"], C.N_READ: [5, 7, 9]})
    fig = F.denominator_figure(read, by=C.LANG, failed_days=[dt.date(2026, 3, 3)])
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["en", "fr"]
    assert list(fig.data[1].y) == [7, 9]
    assert len(fig.layout.shapes) == 1
    assert fig.layout.yaxis.title.text == "Articles read"


def test_choropleth_uses_iso3_and_carries_entity_ids() -> None:
    values = pd.DataFrame({C.ISO3: ["FRA", "RUS"], C.NAME: ["France", "Russia"], C.ENTITY_ID: ["country:FR", "country:RU"],
                           C.N_ARTICLES: [5, 3], C.VALUE: [2.5, 1.5]})
    fig = F.choropleth_figure(values)
    trace = fig.data[0]
    assert trace.type == "choropleth" and list(trace.locations) == ["FRA", "RUS"] and list(trace.z) == [2.5, 1.5]
    assert trace.locationmode == "ISO-3" and trace.customdata[1][0] == "country:RU"
    # Pinned on Greenwich: plotly would otherwise centre on the locations' bounds.
    geo = fig.layout.geo
    assert geo.projection.rotation.lon == 0 and geo.center.lon == 0 and tuple(geo.lonaxis.range) == (-180, 180)


def test_breakdown_figure_puts_the_largest_on_top() -> None:
    values = pd.DataFrame({C.FEED_NAME: ["a", "b"], C.N_ARTICLES: [9, 3]})
    fig = F.breakdown_figure(values, label=C.FEED_NAME, title="By feed")
    assert list(fig.data[0].y) == ["b", "a"] and fig.data[0].orientation == "h"
    assert fig.layout.title.text == "By feed"


def test_time_charts_of_one_page_share_the_period_as_x_range() -> None:
    series = pd.DataFrame({C.DAY: pd.to_datetime(["2026-03-10", "2026-03-11"]), C.ENTITY_ID: ["country:FR"] * 2,
                           C.VALUE: [1.0, 2.0], C.N_ARTICLES: [1, 2], C.N_READ: [10, 10]})
    read = pd.DataFrame({C.DAY: pd.to_datetime(["2026-03-20"]), C.LANG: ["fr"], C.N_READ: [5]})
    period = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    lines = F.trends_figure(series, {"country:FR": "France"}, period=period)
    bars = F.denominator_figure(read, by=C.LANG, period=period)
    assert tuple(lines.layout.xaxis.range) == tuple(bars.layout.xaxis.range)  # the charts line up
    lo, hi = (pd.Timestamp(x) for x in bars.layout.xaxis.range)
    assert lo < pd.Timestamp("2026-03-01") < pd.Timestamp("2026-03-31") < hi  # the period, not the data's days
    assert F.trends_figure(series, {}).layout.xaxis.range is None  # no period: Plotly's autorange


def test_denominator_figure_can_keep_the_given_order() -> None:
    read = pd.DataFrame({C.DAY: pd.to_datetime(["2026-03-02"] * 3), C.FEED_NAME: ["Zeta", "Alpha", "other feeds"],
                         C.N_READ: [9, 5, 3]})
    assert [t.name for t in F.denominator_figure(read, by=C.FEED_NAME, keep_order=True).data] == \
        ["Zeta", "Alpha", "other feeds"]
    assert [t.name for t in F.denominator_figure(read, by=C.FEED_NAME).data] == ["Alpha", "Zeta", "other feeds"]
