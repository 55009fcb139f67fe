"""Small rendering pieces shared by the pages: CSV buttons, article lists, empty states."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sitroom import columns as C
from sitroom.analytics import article_html
from ui import data
from ui.frame import Page


def csv_button(frame: pd.DataFrame, name: str, *, label: str = "Download the data (CSV)") -> None:
    """Every chart offers its data: one button under it, the frame exactly as plotted."""
    st.download_button(label, frame.to_csv(index=False).encode("utf-8"), file_name=f"sitroom-{name}.csv",
                       mime="text/csv", key=f"csv_{name}", icon=":material/download:")


def empty_archive(page: Page) -> bool:
    """Say what to do when the archive has no article yet; True when the page should stop."""
    if not page.empty:
        return False
    st.info(
        "**The archive has no articles yet.** With network access the background poller fills it "
        "(see the status above, or press *Update now* on the Sources page). Without network, import "
        "archived feed files:\n\n"
        "```\n.venv/bin/python -m sitroom backfill PATH/TO/FEEDS\n```\n\n"
        "or poll once from the command line: `.venv/bin/python -m sitroom ingest`."
    )
    return True


def no_mentions(page: Page, what: str = "these entities") -> None:
    st.info(
        f"No article mentions {what} in {page.period_text()} with the current filters. "
        "Try a longer period (sidebar), all languages and feeds, or turn capitals and seats of power back on."
    )


def articles(page: Page, frame: pd.DataFrame, *, highlight_entity: str | None = None, key: str = "articles") -> None:
    """A list of articles: title (link), source, date, summary; mentions highlighted; all text escaped.

    `highlight_entity`: only that entity's mentions are marked; None marks every mention.
    """
    if frame.empty:
        st.caption("No article.")
        return
    spans = data.mention_spans(page.url, tuple(int(i) for i in frame[C.ARTICLE_ID]))
    if highlight_entity:
        spans = spans[spans[C.ENTITY_ID] == highlight_entity]
    by_article: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for article_id, field, start, end in spans[[C.ARTICLE_ID, C.FIELD, C.START, C.END]].itertuples(index=False):
        by_article.setdefault((int(article_id), str(field)), []).append((int(start), int(end)))
    for row in frame.itertuples(index=False):
        aid = int(getattr(row, C.ARTICLE_ID))
        st.markdown(article_html(
            title=str(getattr(row, C.TITLE)), summary=str(getattr(row, C.SUMMARY)), url=str(getattr(row, C.URL)),
            source=str(getattr(row, C.FEED_NAME)), when=pd.Timestamp(getattr(row, C.PUBLISHED)).strftime("%Y-%m-%d %H:%M UTC"),
            language=str(getattr(row, C.LANG)),
            title_spans=by_article.get((aid, "title"), []), summary_spans=by_article.get((aid, "summary"), []),
        ), unsafe_allow_html=True)
    csv_button(frame.drop(columns=[C.SUMMARY]), key)
