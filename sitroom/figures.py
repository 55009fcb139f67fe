"""Plotly figure builders: frames in, `go.Figure` out. Pure, so tests read their structure
(traces, data, axis titles) instead of pixels.

Every trace that a click should drill into carries `customdata` whose first item is the
entity id, so the page can map a selected point back to (entity, day) without relying on
trace order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from sitroom import columns as C

Y_TITLES = {"per1000": "Articles mentioning it per 1,000 articles read", "raw": "Articles mentioning it"}
GRAIN_WORDS = {"day": "Day", "week": "Week (starting Monday)", "month": "Month"}
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "hovermode": "closest"}


def x_range(start: dt.date, end: dt.date) -> list[pd.Timestamp]:
    """The x range of a time chart over [start, end]: half a day beyond each end, so that the
    first and last bars are whole and charts of the same period line up."""
    return [pd.Timestamp(start) - pd.Timedelta(hours=12), pd.Timestamp(end) + pd.Timedelta(hours=12)]


def trends_figure(
    series: pd.DataFrame, names: Mapping[str, str], *, norm: str = "per1000", grain: str = "day",
    period: tuple[dt.date, dt.date] | None = None,
) -> go.Figure:
    """One line per entity (VALUE over DAY), spikes as red rings on top; clickable points.

    `period` (first, last day) fixes the x range, so that charts of one page line up."""
    fig = go.Figure()
    for entity_id, sub in series.groupby(C.ENTITY_ID, sort=False):
        name = names.get(str(entity_id), str(entity_id))
        custom = list(zip([entity_id] * len(sub), sub[C.N_ARTICLES], sub[C.N_READ], strict=True))
        fig.add_trace(go.Scatter(
            x=sub[C.DAY], y=sub[C.VALUE], name=name, mode="lines+markers", marker={"size": 5},
            customdata=custom, legendgroup=str(entity_id),
            hovertemplate=(f"<b>{_escape(name)}</b><br>%{{x|%Y-%m-%d}}: %{{y:.2f}}<br>"
                           "%{customdata[1]} of %{customdata[2]} articles read<extra></extra>"),
        ))
        if C.SPIKE in sub and sub[C.SPIKE].any():
            spikes = sub[sub[C.SPIKE]]
            fig.add_trace(go.Scatter(
                x=spikes[C.DAY], y=spikes[C.VALUE], name=f"{name}: spike", mode="markers",
                marker={"size": 13, "symbol": "circle-open", "color": "crimson", "line": {"width": 2}},
                customdata=list(zip([entity_id] * len(spikes), spikes[C.N_ARTICLES], spikes[C.N_READ],
                                    strict=True)),
                legendgroup=str(entity_id), showlegend=False,
                hovertemplate="Spike: %{y:.2f}<extra></extra>",
            ))
    fig.update_layout(
        **_LAYOUT, title="Mentions over time (click a point to list its articles)",
        xaxis_title=GRAIN_WORDS.get(grain, "Day"), yaxis_title=Y_TITLES.get(norm, Y_TITLES["raw"]),
        legend={"orientation": "h", "y": -0.2},
    )
    if period is not None:
        fig.update_xaxes(range=x_range(*period))
    return fig


def denominator_figure(
    read: pd.DataFrame, *, by: str, failed_days: Iterable[dt.date] = (), title: str = "",
    period: tuple[dt.date, dt.date] | None = None, keep_order: bool = False,
) -> go.Figure:
    """Articles read per day, stacked by `by` (a column of `read`); failed-poll days shaded.

    `read`: DAY, `by`, N_READ. A shaded day had at least one failed poll in the filtered feeds,
    so a dip there may be the archive's gap, not the news. `period` (first, last day) fixes the
    x range (the period, not the first day with data); `keep_order` stacks the groups in the
    order of `read` (e.g. `analytics.top_groups`: largest first, "other feeds" last) instead of
    alphabetically.
    """
    fig = go.Figure()
    for key, sub in read.groupby(by, sort=not keep_order):
        fig.add_trace(go.Bar(x=sub[C.DAY], y=sub[C.N_READ], name=str(key) or "(none)"))
    for day in sorted(set(failed_days)):
        start = pd.Timestamp(day)
        fig.add_vrect(x0=start - pd.Timedelta(hours=12), x1=start + pd.Timedelta(hours=12),
                      fillcolor="orange", opacity=0.25, line_width=0, layer="below")
    fig.update_layout(
        **_LAYOUT, barmode="stack", title=title or f"Articles read per day, by {by}",
        xaxis_title="Day", yaxis_title="Articles read", height=280,
        legend={"orientation": "h", "y": -0.3},
    )
    if period is not None:
        fig.update_xaxes(range=x_range(*period))
    return fig


def choropleth_figure(values: pd.DataFrame, *, norm: str = "per1000") -> go.Figure:
    """World map of country mentions: ISO3, NAME, ENTITY_ID, VALUE; click a country for its profile."""
    fig = go.Figure(go.Choropleth(
        locations=values[C.ISO3], z=values[C.VALUE], text=values[C.NAME],
        customdata=list(zip(values[C.ENTITY_ID], values[C.N_ARTICLES], strict=True)),
        locationmode="ISO-3", colorscale="Reds",
        colorbar={"title": "per 1,000" if norm == "per1000" else "articles"},
        hovertemplate="<b>%{text}</b><br>%{z:.2f}<br>%{customdata[1]} articles<extra></extra>",
    ))
    fig.update_layout(
        **_LAYOUT, title="Country mentions in the period (click a country to open its profile)",
        # Pinned to the Greenwich meridian: left to itself, plotly centres the map on the middle
        # of the locations' bounds, which with Pacific islands puts the Americas on the right.
        geo={"showframe": False, "showcoastlines": True, "projection_type": "natural earth",
             "projection_rotation_lon": 0, "center_lon": 0, "lonaxis_range": [-180, 180]},
        height=520,
    )
    return fig


def breakdown_figure(values: pd.DataFrame, *, label: str, title: str, axis_title: str = "") -> go.Figure:
    """Horizontal bars: `label` column against N_ARTICLES, largest on top."""
    ordered = values.sort_values(C.N_ARTICLES)
    fig = go.Figure(go.Bar(x=ordered[C.N_ARTICLES], y=ordered[label].astype(str), orientation="h"))
    fig.update_layout(**_LAYOUT, title=title, xaxis_title="Articles mentioning it", yaxis_title=axis_title or label,
                      height=max(200, 28 * len(ordered) + 80))
    return fig


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
