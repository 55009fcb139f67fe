"""Entity profile: one entity's timeline, the entities co-mentioned with it (ranked by lift),
the feeds and languages that carry it, its aliases and their hits, and its recent articles."""

from __future__ import annotations

import streamlit as st

from sitroom import columns as C
from sitroom.analytics import alias_table, lift, mark_spikes, mentions_over_time
from sitroom.figures import breakdown_figure, trends_figure
from ui import data, frame, render, widgets

MIN_SUPPORT = 3
TOP_FEEDS = 15

page = frame.page("Entity profile")
if render.empty_archive(page):
    st.stop()
f = page.filters
entity = widgets.entity_select(page, key="f_entity", label="Entity")
f = f.with_(entity=entity)
page.publish(f)
if not entity:
    st.info("Pick an entity above (any name or alias, English or French), or click one on the Movers or Map page.")
    st.stop()

args = (page.start, page.end, f.languages, f.feeds)
row = page.entities[page.entities[C.ENTITY_ID] == entity].iloc[0]
counts = data.entity_daily(page.url, (entity,), *args, f.seats)
read = data.article_daily(page.url, *args)
series = mark_spikes(mentions_over_time(counts, read, start=page.start, end=page.end, entity_ids=[entity],
                                        grain=f.grain, per_1000=f.norm == "per1000", rolling=f.rolling))
n_entity, n_read = int(counts[C.N_ARTICLES].sum()), int(read[C.N_READ].sum())
m1, m2, m3 = st.columns(3)
m1.metric("Articles mentioning it", f"{n_entity:,}")
m2.metric("Per 1,000 articles read", f"{1000 * n_entity / n_read:.2f}" if n_read else "–")
m3.metric("Articles read (denominator)", f"{n_read:,}")
st.caption(f"{page.period_text()} · id `{entity}`")
if n_entity == 0:
    render.no_mentions(page, page.label(entity))
    st.stop()

st.plotly_chart(trends_figure(series, page.names(), norm=f.norm, grain=f.grain), key="profile_timeline")
render.csv_button(series, "profile-timeline")

left, right = st.columns(2)
with left:
    st.subheader("Co-mentioned (by lift)")
    totals = data.entity_totals(page.url, *args, (), f.seats)
    co = lift(data.cooccurrence(page.url, entity, *args, f.seats), n_target=n_entity, totals=totals,
              n_total=n_read, min_support=MIN_SUPPORT)
    st.caption(f"Lift = how much more often than chance they share an article (1 = chance); "
               f"pairs in fewer than {MIN_SUPPORT} articles left out.")
    if co.empty:
        st.info("No entity shares enough articles with this one in the period.")
    else:
        names = page.names()
        co.insert(0, "profile", [page.profile_href(e) for e in co[C.ENTITY_ID]])
        co.insert(1, C.NAME, [names.get(e, e) for e in co[C.ENTITY_ID]])
        st.dataframe(co[[C.NAME, "profile", C.N_BOTH, C.N_ARTICLES, C.LIFT]].head(25), hide_index=True,
                     column_config={
                         C.NAME: st.column_config.TextColumn("Entity"),
                         "profile": st.column_config.LinkColumn("Profile", display_text="open ›"),
                         C.N_BOTH: st.column_config.NumberColumn("Together"),
                         C.N_ARTICLES: st.column_config.NumberColumn("Its articles"),
                         C.LIFT: st.column_config.NumberColumn("Lift", format="%.1f"),
                     })
        render.csv_button(co.drop(columns=["profile"]), "co-mentions")
with right:
    st.subheader("Where it appears")
    breakdown = data.entity_breakdown(page.url, entity, *args, f.seats)
    by_feed = breakdown.groupby(C.FEED_NAME, as_index=False)[C.N_ARTICLES].sum()
    by_lang = breakdown.groupby(C.LANG, as_index=False)[C.N_ARTICLES].sum()
    top_feeds = by_feed.nlargest(TOP_FEEDS, C.N_ARTICLES)
    title = "By feed" if len(by_feed) <= TOP_FEEDS else f"By feed (top {TOP_FEEDS} of {len(by_feed)}; all in the CSV)"
    st.plotly_chart(breakdown_figure(top_feeds, label=C.FEED_NAME, title=title, axis_title="Feed"), key="by_feed")
    st.plotly_chart(breakdown_figure(by_lang, label=C.LANG, title="By language", axis_title="Language"), key="by_language")
    render.csv_button(breakdown, "profile-sources")

st.subheader("Aliases and their hits")
aliases = alias_table(row[C.ALIASES], data.alias_hits(page.url, entity, *args))
st.dataframe(aliases, hide_index=True, column_config={
    C.ALIAS: "Alias", C.MATCH_KIND: "Matched as", "n_hits": "Hits", C.N_ARTICLES: "Articles"})
render.csv_button(aliases, "aliases")

st.subheader("Recent articles")
recent = data.entity_articles(page.url, entity, *args, f.seats, 30)
render.articles(page, recent, highlight_entity=entity, key="profile-articles")
