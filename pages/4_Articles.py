"""Articles: full-text search over titles and summaries, with entity, feed, language and date filters."""

from __future__ import annotations

import streamlit as st

from sitroom.analytics import fts_query
from ui import data, frame, render, state, widgets

page = frame.page("Articles", chart_controls=False)
if render.empty_archive(page):
    st.stop()
f = page.filters
left, right = st.columns([2, 1])
state.seed("f_q", f.q)
q = left.text_input("Search titles and summaries", key="f_q", max_chars=200,
                    placeholder="words, all required; drone* for prefixes",
                    help="Every word must appear (accents and case ignored). Operators are read as words.")
with right:
    entity = widgets.entity_select(page, key="f_aentity", label="Mentioning")
f = f.with_(q=q.strip(), entity=entity)
match = fts_query(f.q)
results = data.search_articles(page.url, match, f.entity, page.start, page.end, f.languages, f.feeds)
what = [f"“{f.q}”"] if match else []
if f.entity:
    what.append(f"mentioning {page.label(f.entity)}")
st.caption(f"{len(results)} article(s){' ' + ' '.join(what) if what else ''} in {page.period_text()}"
           + (" (newest 200 shown)" if len(results) >= 200 else ""))
if results.empty:
    st.info("No article matches. Try fewer words, a longer period, or all languages and feeds.")
else:
    render.articles(page, results, highlight_entity=f.entity or None, key="search-results")
page.publish(f)
