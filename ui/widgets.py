"""Page-level widgets bound to the URL (through `ui.state`): entity pickers, chart selections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from sitroom import columns as C
from sitroom.analytics import search_entities
from ui import state
from ui.frame import Page

MAX_COMPARED = 10


def entity_picker(page: Page, popularity: pd.DataFrame, *, key: str = "f_entities") -> tuple[str, ...]:
    """Search box (any alias, English or French, accents optional) + the compared entities."""
    f = page.filters
    pop = dict(zip(popularity[C.ENTITY_ID], popularity[C.N_ARTICLES], strict=True)) if not popularity.empty else {}
    entities = page.entities
    if f.types:
        entities = entities[entities[C.ENTITY_TYPE].isin(f.types)]
    cols = st.columns([1, 2])
    find = cols[0].text_input("Find an entity", key="f_find", placeholder="e.g. Kremlin, Allemagne, OTAN",
                              help="Searches every name and alias, in English and French.")
    if find:
        suggestions = search_entities(entities, find, limit=30, popularity=pop)
        if not suggestions:
            cols[0].caption(f"No entity matches “{find}”.")
    else:
        suggestions = [str(x) for x in popularity[C.ENTITY_ID].head(40)] if not popularity.empty else []
    from_url = list(f.entities[:MAX_COMPARED])  # a longer list would make the multiselect raise
    state.seed(key, from_url)
    chosen_now = [x for x in st.session_state.get(key, []) if x in set(page.entities[C.ENTITY_ID])]
    options = list(dict.fromkeys([*chosen_now, *from_url, *suggestions]))
    chosen = cols[1].multiselect(
        "Entities to compare", options, key=key, format_func=page.label, max_selections=MAX_COMPARED,
        placeholder="The most mentioned are shown; pick entities to compare",
    )
    return tuple(chosen)


def selected_point(event: Any, key: str) -> tuple[str, dt.date] | None:
    """(entity id, day) of a newly clicked chart point, or None when nothing new was clicked.

    A chart keeps its selection across reruns; only a selection that differs from the last
    one seen counts, so a cleared drill-down does not come back by itself.
    """
    points = []
    try:
        points = list(event.selection.points) if event else []
    except AttributeError:
        points = list((event or {}).get("selection", {}).get("points", []))
    memo = f"_sitroom_pick_{key}"
    if not points:
        st.session_state.pop(memo, None)
        return None
    point = points[0]
    custom = point.get("customdata") or []
    x = str(point.get("x", ""))[:10]
    try:
        day = dt.date.fromisoformat(x)
    except ValueError:
        return None
    entity_id = str(custom[0]) if custom else ""
    pick = (entity_id, day.isoformat())
    if st.session_state.get(memo) == pick or not entity_id:
        return None
    st.session_state[memo] = pick
    return entity_id, day


def entity_select(page: Page, *, key: str, label: str = "Entity") -> str:
    """One entity, or '' for none; the list searches names and aliases in both languages."""
    entities = page.entities
    labels = {
        str(eid): search_label(page.label(str(eid)), str(fr), str(name), aliases)
        for eid, name, fr, aliases in entities[[C.ENTITY_ID, C.NAME, "name_fr", C.ALIASES]].itertuples(index=False)
    }
    state.seed(key, page.filters.entity or None)
    chosen = st.selectbox(label, sorted(labels, key=lambda e: labels[e].casefold()), key=key,
                          format_func=labels.__getitem__, index=None, placeholder="Any entity (type a name or alias)")
    return str(chosen or "")


def search_label(label: str, name_fr: str, name_en: str, aliases: tuple[str, ...], max_aliases: int = 8) -> str:
    extra = [a for a in dict.fromkeys([name_fr, *aliases]) if a and a != name_en][:max_aliases]
    return f"{label} · {', '.join(extra)}" if extra else label
