"""Movers: per entity type, the most mentioned entities of the period and their change
against the previous period of the same length; newcomers flagged; click through to a profile."""

from __future__ import annotations

import streamlit as st

from sitroom import columns as C
from sitroom.analytics import TYPE_LABELS, movers, movers_display, sparklines
from sitroom.urlstate import ENTITY_TYPES, previous_range
from ui import data, frame, render

page = frame.page("Movers", chart_controls=False)
if render.empty_archive(page):
    st.stop()
f = page.filters
prev_start, prev_end = previous_range(page.start, page.end)
current = data.entity_totals(page.url, page.start, page.end, f.languages, f.feeds, f.types, f.seats)
previous = data.entity_totals(page.url, prev_start, prev_end, f.languages, f.feeds, f.types, f.seats)
read_now = data.total_read(page.url, page.start, page.end, f.languages, f.feeds)
read_before = data.total_read(page.url, prev_start, prev_end, f.languages, f.feeds)
st.caption(f"{page.period_text()} compared with {prev_start:%d %b %Y} – {prev_end:%d %b %Y}. "
           f"Articles read (the denominators): {read_now:,} now, {read_before:,} before.")

table = movers(current, previous, top=10, read_now=read_now, read_before=read_before)
if table.empty:
    render.no_mentions(page, "any entity")
    st.stop()
grain = "week" if (page.end - page.start).days > 120 else "day"
counts = data.entity_daily(page.url, tuple(table[C.ENTITY_ID]), page.start, page.end, f.languages, f.feeds, f.seats)
lines = sparklines(counts, start=page.start, end=page.end, entity_ids=table[C.ENTITY_ID], grain=grain)
table["trend"] = [lines.get(e, []) for e in table[C.ENTITY_ID]]
table["profile"] = [page.profile_href(e) for e in table[C.ENTITY_ID]]

for entity_type in [t for t in ENTITY_TYPES if t in set(table[C.ENTITY_TYPE])]:
    st.subheader(TYPE_LABELS[entity_type].capitalize())
    sub = table[table[C.ENTITY_TYPE] == entity_type]
    event = st.dataframe(
        movers_display(sub)[[C.NAME, "profile", C.N_ARTICLES, C.N_BEFORE, C.CHANGE, C.PCT_CHANGE, C.NEWCOMER,
             C.PER_1000, C.PER_1000_BEFORE, "trend"]],
        hide_index=True, on_select="rerun", selection_mode="single-row", key=f"movers_{entity_type}",
        column_config={
            C.NAME: st.column_config.TextColumn("Entity"),
            "profile": st.column_config.LinkColumn("Profile", display_text="open ›",
                                                   help="Open the entity's profile (or select the row)"),
            C.N_ARTICLES: st.column_config.NumberColumn("Articles", help="Articles mentioning it in the period"),
            C.N_BEFORE: st.column_config.NumberColumn("Before", help="... in the previous period"),
            C.CHANGE: st.column_config.NumberColumn("Change", format="%+d"),
            C.PCT_CHANGE: st.column_config.TextColumn("Change %", help="'new': not mentioned in the previous period"),
            C.NEWCOMER: st.column_config.CheckboxColumn("New", help="Not mentioned at all in the previous period"),
            C.PER_1000: st.column_config.NumberColumn("Per 1,000 read", format="%.1f"),
            C.PER_1000_BEFORE: st.column_config.TextColumn(
                "Before, per 1,000", help="Compare these when the archive grew between periods "
                                          "('–': no articles read in the previous period)"),
            "trend": st.column_config.LineChartColumn(f"Per {grain}", y_min=0),
        },
    )
    rows = event.selection.rows if event else []
    if rows:
        st.switch_page(frame.PROFILE_SCRIPT, query_params=page.profile_query(str(sub.iloc[rows[0]][C.ENTITY_ID])))
render.csv_button(table.drop(columns=["profile", "trend"]), "movers")
