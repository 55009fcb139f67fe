"""Map: country mentions in the period on a world map; click a country to open its profile."""

from __future__ import annotations

import streamlit as st

from sitroom import columns as C
from sitroom.analytics import map_values
from sitroom.figures import choropleth_figure
from ui import data, frame, render

TOPOJSON_URL = "app/static/topojson/"  # served from static/ (offline map outlines), relative to the page

page = frame.page("Map", chart_controls=("norm",))  # no time axis: no granularity, no rolling mean
if render.empty_archive(page):
    st.stop()
f = page.filters
totals = data.entity_totals(page.url, page.start, page.end, f.languages, f.feeds, ("country",), f.seats)
n_read = data.total_read(page.url, page.start, page.end, f.languages, f.feeds)
values = map_values(totals, n_read, per_1000=f.norm == "per1000")
st.caption(f"{page.period_text()} · {n_read:,} articles read (the denominator) · {len(values)} countries mentioned")
if values.empty:
    render.no_mentions(page, "any country")
    st.stop()
event = st.plotly_chart(choropleth_figure(values, norm=f.norm), on_select="rerun", selection_mode="points",
                        key="world_map", config={"topojsonURL": TOPOJSON_URL})
points = event.selection.points if event else []
if points:
    point = points[0]
    by_iso3 = dict(zip(values[C.ISO3], values[C.ENTITY_ID], strict=True))
    custom = point.get("customdata") or []
    entity_id = str(custom[0]) if custom else by_iso3.get(str(point.get("location", "")), "")
    if entity_id:
        st.switch_page(frame.PROFILE_SCRIPT, query_params=page.profile_query(entity_id))
values["profile"] = [page.profile_href(e) for e in values[C.ENTITY_ID]]
st.dataframe(values[[C.NAME, "profile", C.N_ARTICLES, C.PER_1000]], hide_index=True, column_config={
    C.NAME: st.column_config.TextColumn("Country"),
    "profile": st.column_config.LinkColumn("Profile", display_text="open ›"),
    C.N_ARTICLES: st.column_config.NumberColumn("Articles"),
    C.PER_1000: st.column_config.NumberColumn("Per 1,000 read", format="%.2f"),
})
render.csv_button(values.drop(columns=["profile"]), "map")
