"""The one place that reads and writes `st.query_params`: the URL is the dashboard's state.

A run goes: `begin()` decodes the URL into `Filters` (tolerantly) and notes whether the URL
changed since this session last wrote it (a deep link, a navigation link, the back button);
`seed(key, value)` puts the URL's value into a widget's session state only then, or when the
widget is new, so a widget the analyst just changed keeps its new value; `publish(filters)`
writes the canonical query (defaults omitted, bad values gone) back when it differs.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sitroom.urlstate import Filters

_LAST = "_sitroom_url_last"
_CHANGED = "_sitroom_url_changed"
_PAGE = "_sitroom_page"


def _current_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def begin(page: str) -> Filters:
    """Filters from the URL; remembers whether the URL moved since our last write.

    Arriving on another page counts as a move too: Streamlit gives a page's widgets their own
    identity, so a widget keeps no value from the previous page and must be seeded again.
    """
    query = _current_query()
    filters = Filters.from_query(query)
    moved = st.session_state.get(_LAST) != filters.to_query() or st.session_state.get(_PAGE) != page
    st.session_state[_CHANGED] = moved
    st.session_state[_PAGE] = page
    return filters


def seed(key: str, value: Any) -> None:
    """Give widget `key` the URL's value, unless the analyst's own change is newer."""
    if st.session_state.get(_CHANGED, True) or key not in st.session_state:
        st.session_state[key] = value


def publish(filters: Filters) -> None:
    """Write `filters` to the URL if it says something else (this also cleans bad values)."""
    wanted = filters.to_query()
    if _current_query() != {k: [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
    st.session_state[_LAST] = wanted
