"""The shared page frame: every page starts with `page = ui.frame.page("Trends")`.

It sets the page config, resolves the archive (SITROOM_DB), shows the archive status line
(`ui.poller.render_archive_status`), draws the sidebar navigation (links that carry the
current filters) and the shared filters, keeps them in the URL, and hands the page a `Page`
with everything a page needs to ask for data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from sitroom import columns as C
from sitroom.analytics import TYPE_LABELS, entity_label
from sitroom.urlstate import ENTITY_TYPES, GRAINS, MAX_ROLLING, NORMS, PERIOD_LABELS, PERIODS, Filters
from ui import data, state

# (script, label, icon, url path). The url path is what Streamlit derives from the file name.
# Material icons inside the page are drawn with the font Streamlit ships (no request leaves the
# server); only `page_icon` differs: a material favicon is an SVG from fonts.gstatic.com, so the
# favicon is an emoji (Streamlit turns it into an inline SVG, no request at all).
PAGES = (
    ("app.py", "Trends", ":material/show_chart:", ""),
    ("pages/1_Movers.py", "Movers", ":material/trending_up:", "Movers"),
    ("pages/2_Entity.py", "Entity profile", ":material/person_search:", "Entity"),
    ("pages/3_Map.py", "Map", ":material/public:", "Map"),
    ("pages/4_Articles.py", "Articles", ":material/article:", "Articles"),
    ("pages/5_Sources.py", "Sources", ":material/rss_feed:", "Sources"),
)
PROFILE_SCRIPT = "pages/2_Entity.py"
NORM_LABELS = {"per1000": "Per 1,000 articles read", "raw": "Raw article counts"}
GRAIN_LABELS = {"day": "Day", "week": "Week", "month": "Month"}


@dataclass(frozen=True)
class Page:
    """What a page needs: the filters, the archive, and the resolved period."""

    title: str
    filters: Filters
    url: str  # database URL, the first argument of every `ui.data` call
    start: dt.date
    end: dt.date
    anchor: dt.date  # the day relative periods end on: today, or the archive's newest day if older
    summary: dict[str, object]
    entities: pd.DataFrame = field(repr=False)
    feeds: pd.DataFrame = field(repr=False)

    @property
    def empty(self) -> bool:
        return not self.summary.get("n_articles")

    @property
    def languages(self) -> tuple[str, ...]:
        return self.filters.languages

    @property
    def feed_ids(self) -> tuple[int, ...]:
        return self.filters.feeds

    @cached_property
    def _names(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in zip(self.entities[C.ENTITY_ID], self.entities[C.NAME], strict=True)}

    @cached_property
    def _labels(self) -> dict[str, str]:
        e = self.entities
        return {str(k): entity_label(str(n), str(t))
                for k, n, t in zip(e[C.ENTITY_ID], e[C.NAME], e[C.ENTITY_TYPE], strict=True)}

    def names(self) -> dict[str, str]:
        return self._names

    def label(self, entity_id: str) -> str:
        """'France (country)': what pickers and headings show."""
        return self._labels.get(entity_id, entity_id)

    def publish(self, filters: Filters) -> None:
        state.publish(filters)

    def profile_query(self, entity_id: str) -> dict[str, str]:
        return {**self.filters.to_query(shared_only=True), "entity": entity_id}

    def profile_href(self, entity_id: str) -> str:
        """A relative link to the entity's profile with the current filters (for link columns)."""
        return "Entity?" + urlencode(self.profile_query(entity_id))

    def period_text(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


CHART_CONTROLS = ("norm", "grain", "roll")  # Scale, Granularity, Rolling mean


def page(title: str, *, filters: bool = True, chart_controls: bool | Iterable[str] = True) -> Page:
    """Draw the frame of a page and return its `Page`. `filters=False` for pages that have none.

    `chart_controls` names the chart controls the page uses (a subset of `CHART_CONTROLS`, e.g.
    `("norm",)` for a map, which has no time axis); True = all, False = none. A control that is
    not drawn keeps its URL value, so it is still there on the next page that uses it.
    """
    st.set_page_config(page_title=f"{title} · Sitroom", page_icon="📡", layout="wide")
    url = data.db_url()
    summary = data.archive_summary(url)
    entities = data.entities(url)
    feeds = data.feed_options(url)
    languages = data.languages(url)
    anchor = _anchor(summary)

    current = _clean(state.begin(title), entities, feeds, languages)
    nav = st.sidebar.container()
    if filters:
        controls = CHART_CONTROLS if chart_controls is True else () if chart_controls is False else tuple(chart_controls)
        unknown = set(controls) - set(CHART_CONTROLS)
        if unknown:
            raise ValueError(f"unknown chart controls {sorted(unknown)}; known: {CHART_CONTROLS}")
        current = _sidebar_filters(current, feeds, languages, chart_controls=controls)
    state.publish(current)
    _navigation(nav, current)

    st.title(title)
    _archive_status()
    start, end = current.date_range(anchor, summary.get("first_day"))  # type: ignore[arg-type]
    return Page(title=title, filters=current, url=url, start=start, end=end, anchor=anchor,
                summary=summary, entities=entities, feeds=feeds)


def _anchor(summary: dict[str, object]) -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    last = summary.get("last_day")
    return min(today, last) if isinstance(last, dt.date) else today


def _clean(f: Filters, entities: pd.DataFrame, feeds: pd.DataFrame, languages: list[str]) -> Filters:
    """Drop URL values that name nothing in this archive (they would break the widgets)."""
    known_entities = set(entities[C.ENTITY_ID])
    known_feeds = {int(x) for x in feeds[C.FEED_ID]}
    return f.with_(
        languages=tuple(x for x in f.languages if x in languages),
        feeds=tuple(x for x in f.feeds if x in known_feeds),
        entities=tuple(x for x in f.entities if x in known_entities),
        entity=f.entity if f.entity in known_entities else "",
    )


def _navigation(container: DeltaGenerator, current: Filters) -> None:
    shared = current.to_query(shared_only=True)
    with container:
        st.markdown("### :material/radar: Sitroom")
        for script, label, icon, _path in PAGES:
            st.page_link(script, label=label, icon=icon, query_params=shared or None)
        st.divider()


def _archive_status() -> None:
    try:
        from ui.poller import render_archive_status
    except ImportError:  # the poller is optional: the dashboard reads whatever the archive holds
        return
    render_archive_status()


def _sidebar_filters(
    f: Filters, feeds: pd.DataFrame, languages: list[str], *, chart_controls: tuple[str, ...]
) -> Filters:
    sb = st.sidebar
    sb.markdown("**Filters**")
    state.seed("f_period", f.period)
    period = sb.selectbox("Period", PERIODS, key="f_period", format_func=PERIOD_LABELS.__getitem__)
    start, end = f.start, f.end
    if period == "custom":
        default_end = f.end or dt.datetime.now(dt.UTC).date()
        state.seed("f_range", (f.start or default_end - dt.timedelta(days=29), default_end))
        picked = sb.date_input("From – to (UTC days)", key="f_range")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            start, end = picked[0], picked[1]
        elif start is None or end is None:
            start, end = st.session_state["f_range"][0], default_end
    state.seed("f_lang", list(f.languages))
    langs = sb.multiselect("Languages", languages, key="f_lang", placeholder="All languages")
    feed_labels = {int(i): f"{name} · {pub}" if pub and pub != name else str(name)
                   for i, name, pub in zip(feeds[C.FEED_ID], feeds[C.FEED_NAME], feeds[C.PUBLISHER], strict=True)}
    state.seed("f_feed", list(f.feeds))
    feed_ids = sb.multiselect("Feeds (publisher)", list(feed_labels), key="f_feed", format_func=lambda i: feed_labels.get(i, str(i)),
                              placeholder="All feeds")
    state.seed("f_type", list(f.types))
    types = sb.multiselect("Entity types", ENTITY_TYPES, key="f_type", format_func=TYPE_LABELS.__getitem__,
                           placeholder="All types")
    state.seed("f_seats", f.seats)
    seats = sb.toggle("Count capitals and seats of power", key="f_seats",
                      help="On: 'Kremlin' or 'Paris' counts as a mention of Russia or France. "
                           "Off: only articles that name the entity itself.")
    norm, grain, rolling = f.norm, f.grain, f.rolling
    if chart_controls:
        sb.markdown("**Chart**")
    if "norm" in chart_controls:
        state.seed("f_norm", f.norm)
        norm = sb.radio("Scale", NORMS, key="f_norm", format_func=NORM_LABELS.__getitem__,
                        help="Per 1,000: mentions divided by the articles read that day in the same "
                             "languages and feeds, so a busier news day does not look like a surge.")
    if "grain" in chart_controls:
        state.seed("f_grain", f.grain)
        grain = sb.radio("Granularity", GRAINS, key="f_grain", format_func=GRAIN_LABELS.__getitem__, horizontal=True)
    if "roll" in chart_controls:
        state.seed("f_roll", f.rolling)
        rolling = int(sb.number_input("Rolling mean (periods, 0 = off)", min_value=0, max_value=MAX_ROLLING,
                                      step=1, key="f_roll"))
    if period == "custom" and start and end and start > end:
        start, end = end, start
    return f.with_(
        period=period, start=start if period == "custom" else None, end=end if period == "custom" else None,
        languages=tuple(langs), feeds=tuple(int(x) for x in feed_ids), types=tuple(types), seats=bool(seats),
        norm=norm, grain=grain, rolling=rolling,
    )
