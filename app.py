"""Trends (home): mentions of the chosen entities over time, per 1,000 articles read.

Run with `streamlit run app.py`. Every view is a link: the filters, the compared entities and
the clicked point live in the URL.
"""

from __future__ import annotations

import streamlit as st

from sitroom import columns as C
from sitroom.analytics import bucket_range, mark_spikes, mentions_over_time, top_ids
from sitroom.figures import denominator_figure, trends_figure
from ui import data, frame, render, widgets

page = frame.page("Trends")
if render.empty_archive(page):
    st.stop()
f = page.filters
args = (page.start, page.end, f.languages, f.feeds)

totals = data.entity_totals(page.url, *args, f.types, f.seats)
chosen = widgets.entity_picker(page, totals)
f = f.with_(entities=chosen)
shown = list(chosen) or top_ids(totals, 5, f.types)
if not chosen and shown:
    st.caption("Showing the 5 most mentioned entities in the period. Pick entities above to compare your own.")

counts = data.entity_daily(page.url, tuple(shown), *args, f.seats)
read = data.article_daily(page.url, *args)
series = mark_spikes(mentions_over_time(
    counts, read, start=page.start, end=page.end, entity_ids=shown, grain=f.grain,
    per_1000=f.norm == "per1000", rolling=f.rolling,
))
if not shown or series[C.N_ARTICLES].sum() == 0:
    render.no_mentions(page, "the chosen entities" if shown else "any entity")
else:
    event = st.plotly_chart(trends_figure(series, page.names(), norm=f.norm, grain=f.grain),
                            on_select="rerun", selection_mode="points", key="trend_chart")
    picked = widgets.selected_point(event, "trend_chart")
    if picked:
        f = f.with_(entity=picked[0], day=picked[1])
    n_spikes = int(series[C.SPIKE].sum())
    st.caption(f"{page.period_text()} · {int(read[C.N_READ].sum()):,} articles read · "
               f"{n_spikes} spike{'s' if n_spikes != 1 else ''} (red rings: far above the previous 4 weeks)")
    with st.expander("Chart data"):
        st.dataframe(series, hide_index=True, key="trend_data")
    render.csv_button(series, "trends")

st.subheader("Articles read (the denominator)")
failed = data.failed_days(page.url, page.start, page.end, f.feeds)
failed_days = [d.date() for d in failed.loc[failed[C.N_FAILED] > 0, C.DAY]]
by_language, by_feed = st.tabs(["By language", "By feed"])
with by_language:
    read_lang = data.article_daily(page.url, *args, by="language")
    st.plotly_chart(denominator_figure(read_lang, by=C.LANG, failed_days=failed_days,
                                       title="Articles read per day, by language"), key="read_by_language")
    render.csv_button(read_lang, "read-by-language")
with by_feed:
    read_feed = data.article_daily(page.url, *args, by="feed")
    st.plotly_chart(denominator_figure(read_feed, by=C.FEED_NAME, failed_days=failed_days,
                                       title="Articles read per day, by feed"), key="read_by_feed")
    render.csv_button(read_feed, "read-by-feed")
if failed_days:
    st.caption(f"Shaded: {len(failed_days)} day(s) with failed polls in these feeds; a dip there may be a gap "
               "in the archive, not in the news. Details on the Sources page.")

if f.entity and f.day:
    first, last = bucket_range(f.day, f.grain)
    st.subheader(f"{page.label(f.entity)}: articles of {first:%d %b %Y}"
                 + (f" – {last:%d %b %Y}" if last != first else ""))
    if st.button("Clear selection", key="clear_pick"):
        f = f.with_(entity="", day=None)
    else:
        drill = data.entity_articles(page.url, f.entity, first, last, f.languages, f.feeds, f.seats)
        render.articles(page, drill, highlight_entity=f.entity, key="trend-articles")
page.publish(f)
