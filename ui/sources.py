"""The Sources page's pieces: the health table and the subscription actions.

Actions call the loaders directly (`loaders.feeds`) and then drop the query caches, so the next
rerun shows the change; "Update now" hands a forced poll to the background poller (`ui.poller`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from sitroom import columns as C
from ui import data
from ui.frame import Page

HEALTH_COLUMNS: dict[str, Any] = {
    C.FEED_NAME: st.column_config.TextColumn("Feed"),
    C.URL: st.column_config.LinkColumn("URL"),
    C.LANG: st.column_config.TextColumn("Lang"),
    "enabled": st.column_config.CheckboxColumn("On"),
    "status": st.column_config.TextColumn("Status"),
    "last_success_at": st.column_config.DatetimeColumn("Last success (UTC)", format="YYYY-MM-DD HH:mm"),
    "last_error": st.column_config.TextColumn("Last error", width="large"),
    "items_per_day": st.column_config.LineChartColumn("Items/day, 30 days", y_min=0),
    "ratio_304": st.column_config.ProgressColumn("304 ratio", min_value=0.0, max_value=1.0, format="percent",
                                                 help="Polls answered 'not modified': the feed honours ETag/Last-Modified"),
    C.N_POLLS: st.column_config.NumberColumn("Polls"),
    C.N_FAILED: st.column_config.NumberColumn("Failed"),
}


def health_table(health: pd.DataFrame) -> pd.DataFrame:
    """The feed list as shown: one status word, the last error as 'class: reason', the 304 ratio."""
    out = health.copy()
    out["status"] = [
        "disabled" if not enabled else ("failing" if err else ("ok" if ok is not None and not pd.isna(ok) else "never polled"))
        for enabled, err, ok in zip(out["enabled"], out["last_error_class"], out["last_success_at"], strict=True)
    ]
    out["last_error"] = [f"{cls}: {msg}" if cls else "" for cls, msg in
                         zip(out["last_error_class"], out["last_error"], strict=True)]
    polls = out[C.N_POLLS].where(out[C.N_POLLS] > 0)
    out["ratio_304"] = (out[C.N_NOT_MODIFIED] / polls).fillna(0.0)
    return out[[C.FEED_NAME, C.URL, C.LANG, "enabled", "status", "last_success_at", "last_error",
                "items_per_day", "ratio_304", C.N_POLLS, C.N_FAILED]]


_FLASH = "_sitroom_sources_flash"


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (an action reruns the page so every table is fresh)."""
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(_FLASH, []):
        {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)(message)


_UPDATE = "_sitroom_update_requested"  # the poller's last finished job when "Update now" was pressed


def update_now(page: Page) -> None:
    """"Update now" asks the background poller for a forced poll and returns at once: the status
    line at the top of the page shows its progress (the same line as on every page) and reruns
    the page when it ends; this then reports the result and the health table is fresh."""
    try:
        from ui.poller import get_poller
    except ImportError:
        st.error("Ingestion is not installed in this checkout (ui.poller / loaders.ingest).")
        return
    poller = get_poller()
    _report_finished_update(poller)
    asked = _UPDATE in st.session_state
    if not st.button("Update now", key="update_now", icon=":material/refresh:", disabled=asked,
                     help="Poll every enabled feed now, in the background (progress at the top of the page)"):
        return
    before = poller.status().last_job_finished_at
    if not poller.request_poll(force=True):
        flash("info", "A poll is already queued or running; its progress is at the top of the page.")
    st.session_state[_UPDATE] = before
    st.rerun()


def _report_finished_update(poller: Any) -> None:
    if _UPDATE not in st.session_state:
        return
    status = poller.status()
    if poller.queued() or status.last_job_finished_at == st.session_state[_UPDATE]:
        return  # still running: the status line shows the progress and reruns the page at the end
    del st.session_state[_UPDATE]
    data.clear()
    if status.last_job != "poll" or status.error:
        st.error(f"The update failed: {status.error or status.message}")
        return
    if not status.total:
        st.info("No enabled feed to poll. Add one below or enable one.")
        return
    n_ok = status.done - status.n_failed
    st.success(f"Update done: {n_ok}/{status.total} feeds ok, {status.n_new:,} new articles.")
    for failure in status.failures[:20]:
        st.warning(f"{failure.url}: {failure.error_class}: {failure.message}")


def add_form(page: Page) -> None:
    st.subheader("Add a feed")
    with st.form("add_feed", clear_on_submit=True):
        url = st.text_input("Feed URL (http or https)")
        name = st.text_input("Name (optional)")
        c1, c2, c3 = st.columns(3)
        language = c1.text_input("Language", placeholder="fr, en")
        publisher = c2.text_input("Publisher")
        region = c3.text_input("Region")
        if st.form_submit_button("Add"):
            from loaders.feeds import FeedListError, add_feed

            try:
                add_feed(data.engine(page.url), url, name=name, language=language, publisher=publisher, region=region)
            except FeedListError as exc:
                st.error(str(exc))
            else:
                _done(f"Subscribed to {url.strip()}. It is polled on the next run (or press Update now).")


def manage(page: Page, health: pd.DataFrame) -> None:
    st.subheader("Enable, disable or remove")
    if health.empty:
        st.caption("No feed yet.")
        return
    labels = {str(u): f"{n} ({'on' if e else 'off'}) · {u}" for u, n, e in
              zip(health[C.URL], health[C.FEED_NAME], health["enabled"], strict=True)}
    url = st.selectbox("Feed", list(labels), format_func=labels.__getitem__, key="manage_feed")
    from loaders.feeds import FeedListError, remove_feed, set_enabled

    c1, c2, c3 = st.columns(3)
    engine = data.engine(page.url)
    try:
        if c1.button("Enable", key="feed_enable"):
            set_enabled(engine, url, True)
            _done(f"Enabled {url}.")
        if c2.button("Disable", key="feed_disable"):
            set_enabled(engine, url, False)
            _done(f"Disabled {url}.")
        if c3.button("Remove", key="feed_remove", type="primary"):
            result = remove_feed(engine, url)
            _done(f"Removed {url}." if result.deleted else
                  f"Unsubscribed from {url}; its {result.n_articles} articles stay in the archive (feed kept, disabled).")
    except FeedListError as exc:
        st.error(str(exc))


def _done(message: str) -> None:
    data.clear()
    flash("success", message)
    st.rerun()


def opml(page: Page) -> None:
    from loaders.feeds import FeedListError, export_opml, import_opml

    st.subheader("OPML")
    c1, c2 = st.columns(2)
    with c1:
        upload = st.file_uploader("Import subscriptions (OPML)", type=["opml", "xml"], key="opml_upload")
        if upload is not None and st.button("Import", key="opml_import"):
            try:
                report = import_opml(data.engine(page.url), upload.getvalue())
            except FeedListError as exc:
                st.error(str(exc))
            else:
                for what, why in report.invalid[:20]:
                    flash("warning", f"{what}: {why}")
                _done(f"OPML: {len(report.added)} added, {len(report.skipped_existing)} already subscribed, "
                      f"{len(report.invalid)} invalid.")
    with c2:
        st.download_button("Export subscriptions (OPML)", export_opml(data.engine(page.url)),
                           file_name=f"sitroom-{dt.datetime.now(dt.UTC):%Y%m%d}.opml", mime="text/x-opml",
                           key="opml_export")
