"""Sources: every feed with its health; add, remove, enable and disable feeds; OPML import and
export; "Update now" polls every due feed with a progress bar."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data, frame, sources

page = frame.page("Sources", filters=False)
sources.show_flash()
sources.update_now(page)
health = data.feed_health(page.url, dt.datetime.now(dt.UTC).date())
if health.empty:
    st.info("No feed yet. Add one below, import an OPML file, or restart the dashboard to subscribe to the "
            "default feeds (`data/feeds.csv`).")
else:
    table = sources.health_table(health)
    n_failing = int((health["last_error_class"] != "").sum())
    st.caption(f"{len(health)} feeds · {int(health['enabled'].sum())} enabled · {n_failing} failing on their "
               "last poll · activity over the last 30 days")
    st.dataframe(table, hide_index=True, column_config=sources.HEALTH_COLUMNS)
    st.download_button("Download the feed health (CSV)", table.drop(columns=["items_per_day"]).to_csv(index=False),
                       file_name="sitroom-feeds.csv", mime="text/csv", key="csv_feeds")

st.divider()
col_add, col_manage = st.columns(2)
with col_add:
    sources.add_form(page)
with col_manage:
    sources.manage(page, health)
st.divider()
sources.opml(page)
