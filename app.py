"""Trends (home): mentions of the chosen entities over time, per 1,000 articles read.

Run with `streamlit run app.py`. Every view is a link: the filters, the compared entities and
the clicked point live in the URL.
"""

from __future__ import annotations

import streamlit as st

from sitroom import columns as C
from sitroom.analytics import bucket_range, mark_spikes, mentions_over_time, top_groups, top_ids
from sitroom.figures import denominator_figure, trends_figure
from ui import data, frame, render, widgets

TOP_FEEDS = 10  # feeds drawn one by one in the denominator chart; the rest are summed

page = frame.page("Trends")
if render.empty_archive(page):
    st.stop()
f = page.filters
args = (page.start, page.end, f.languages, f.feeds)
# Both time charts span the period (from its first bucket), not the first day with data, so they line up.
x_period = (bucket_range(page.start, f.grain)[0], page.end)

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
    event = st.plotly_chart(trends_figure(series, page.names(), norm=f.norm, grain=f.grain, period=x_period),
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
# A radio, not tabs: Streamlit draws every tab's chart even when hidden, and the by-feed bars
# (46 feeds x 365 days) cost ~1.6 s of browser time. Only the chosen breakdown is drawn.
by = st.radio("Break down by", ["language", "feed"], horizontal=True, key="denominator_by",
              format_func={"language": "Language", "feed": f"Feed (top {TOP_FEEDS})"}.__getitem__)
if by == "language":
    read_lang = data.article_daily(page.url, *args, by="language")
    st.plotly_chart(denominator_figure(read_lang, by=C.LANG, failed_days=failed_days, period=x_period,
                                       title="Articles read per day, by language"), key="read_by_language")
    render.csv_button(read_lang, "read-by-language")
else:
    read_feed = data.article_daily(page.url, *args, by="feed")
    st.plotly_chart(denominator_figure(top_groups(read_feed, by=C.FEED_NAME, n=TOP_FEEDS), by=C.FEED_NAME,
                                       failed_days=failed_days, period=x_period, keep_order=True,
                                       title=f"Articles read per day, top {TOP_FEEDS} feeds, the rest as "
                                             "\"other feeds\""), key="read_by_feed")
    render.csv_button(read_feed, "read-by-feed")  # every feed, not the top 10
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
