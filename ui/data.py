"""Cached access to the archive for the pages: the only place the dashboard caches.

Every function takes the database URL (a string) and hashable filter values, so Streamlit's
cache keys are exact and two archives never share an entry. Entries live `Settings.cache_ttl_s`
seconds (`SITROOM_CACHE_TTL_S`): long enough that moving between pages is instant, short enough
that the poller's new articles appear without a restart. `clear()` drops everything (after an
"update now" or a feed change).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from loaders import db, queries
from sitroom.settings import Settings

TTL = Settings.from_env().cache_ttl_s
FEED_TTL = min(TTL, 30)  # feed health changes with every poll: keep it fresh


def db_url() -> str:
    """The archive's URL: SITROOM_DB (path or URL) or the default file, resolved like the CLI does."""
    return db.resolve_db_url(Settings.from_env().db or None)


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    """One engine (and connection pool) per archive for the whole server."""
    return db.make_engine(url)


def clear() -> None:
    st.cache_data.clear()


@st.cache_data(ttl=TTL, show_spinner=False)
def archive_summary(url: str) -> dict[str, object]:
    return queries.read_archive_summary(engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def entities(url: str) -> pd.DataFrame:
    return queries.read_entities(engine(url))


@st.cache_data(ttl=FEED_TTL, show_spinner=False)
def feed_options(url: str) -> pd.DataFrame:
    return queries.read_feed_options(engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def languages(url: str) -> list[str]:
    return queries.read_languages(engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def entity_daily(url: str, entity_ids: tuple[str, ...], start: dt.date, end: dt.date,
                 languages: tuple[str, ...], feed_ids: tuple[int, ...], seats: bool) -> pd.DataFrame:
    return queries.read_entity_daily(engine(url), entity_ids, start, end,
                                     languages=languages, feed_ids=feed_ids, seats=seats)


@st.cache_data(ttl=TTL, show_spinner=False)
def article_daily(url: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
                  feed_ids: tuple[int, ...], by: str | None = None) -> pd.DataFrame:
    return queries.read_article_daily(engine(url), start, end, languages=languages, feed_ids=feed_ids, by=by)


@st.cache_data(ttl=FEED_TTL, show_spinner=False)
def failed_days(url: str, start: dt.date, end: dt.date, feed_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.read_failed_days(engine(url), start, end, feed_ids=feed_ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def entity_totals(url: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
                  feed_ids: tuple[int, ...], types: tuple[str, ...], seats: bool) -> pd.DataFrame:
    return queries.read_entity_totals(engine(url), start, end, languages=languages, feed_ids=feed_ids,
                                      types=types, seats=seats)


@st.cache_data(ttl=TTL, show_spinner=False)
def total_read(url: str, start: dt.date, end: dt.date, languages: tuple[str, ...], feed_ids: tuple[int, ...]) -> int:
    return queries.read_total_read(engine(url), start, end, languages=languages, feed_ids=feed_ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def entity_breakdown(url: str, entity_id: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
                     feed_ids: tuple[int, ...], seats: bool) -> pd.DataFrame:
    return queries.read_entity_breakdown(engine(url), entity_id, start, end, languages=languages,
                                         feed_ids=feed_ids, seats=seats)


@st.cache_data(ttl=TTL, show_spinner=False)
def entity_articles(url: str, entity_id: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
                    feed_ids: tuple[int, ...], seats: bool, limit: int = queries.DRILL_LIMIT) -> pd.DataFrame:
    return queries.read_entity_articles(engine(url), entity_id, start, end, languages=languages,
                                        feed_ids=feed_ids, seats=seats, limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def mention_spans(url: str, article_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.read_mention_spans(engine(url), article_ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def cooccurrence(url: str, entity_id: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
                 feed_ids: tuple[int, ...], seats: bool) -> pd.DataFrame:
    return queries.read_cooccurrence(engine(url), entity_id, start, end, languages=languages,
                                     feed_ids=feed_ids, seats=seats)


@st.cache_data(ttl=TTL, show_spinner=False)
def alias_hits(url: str, entity_id: str, start: dt.date, end: dt.date, languages: tuple[str, ...],
               feed_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.read_alias_hits(engine(url), entity_id, start, end, languages=languages, feed_ids=feed_ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def search_articles(url: str, match: str, entity_id: str, start: dt.date, end: dt.date,
                    languages: tuple[str, ...], feed_ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.search_articles(engine(url), match=match, entity_id=entity_id, start=start, end=end,
                                   languages=languages, feed_ids=feed_ids)


@st.cache_data(ttl=FEED_TTL, show_spinner=False)
def feed_health(url: str, today: dt.date) -> pd.DataFrame:
    return queries.read_feed_health(engine(url), today=today)
