"""The dashboard's state as a URL: one frozen `Filters`, decoded tolerantly, encoded minimally.

Every view of the dashboard is a link. `Filters.from_query` accepts whatever a browser sends
(missing keys, repeated keys, garbage) and never raises: a bad value falls back to its default,
so the page still renders and the frame rewrites the URL without it. `to_query` omits every
default so that links stay short and a default change does not break old links.

Query keys (short, stable: they are in bookmarks):
  period   7d | 30d | 90d | 1y | all | custom      (custom needs from and to)
  from,to  YYYY-MM-DD, inclusive UTC days
  lang     comma-separated language codes            (empty = all)
  feed     comma-separated feed ids                  (empty = all)
  type     comma-separated entity types              (empty = all)
  e        comma-separated entity ids compared on Trends
  norm     per1000 | raw
  grain    day | week | month
  roll     rolling mean window in periods (0 = off)
  seats    0 to leave out articles that name an entity only through its capital/seat of power
  entity   the entity of the profile page (and of the Trends drill-down)
  q        the Articles page's full-text query
  day      the selected day (Trends drill-down)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

PERIODS = ("7d", "30d", "90d", "1y", "all", "custom")
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}
PERIOD_LABELS = {
    "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", "1y": "Last year",
    "all": "Whole archive", "custom": "Custom range",
}
NORMS = ("per1000", "raw")
GRAINS = ("day", "week", "month")
ENTITY_TYPES = ("country", "company", "weapon", "weapon_class", "organisation", "person")
MAX_ROLLING = 90
MAX_LIST = 50  # no URL list is longer than this: a pasted monster link stays cheap
MAX_QUERY_CHARS = 200

_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_ENTITY_RE = re.compile(r"^[a-z_]+:[A-Za-z0-9._-]{1,100}$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the analyst is looking at. Defaults are what an empty URL shows."""

    period: str = "90d"
    start: dt.date | None = None  # only with period == "custom"
    end: dt.date | None = None
    languages: tuple[str, ...] = ()  # () = every language
    feeds: tuple[int, ...] = ()  # feed ids; () = every feed
    types: tuple[str, ...] = ()  # () = every type
    entities: tuple[str, ...] = ()  # compared on Trends, in the analyst's order
    norm: str = "per1000"
    grain: str = "day"
    rolling: int = 0
    seats: bool = True  # count articles that name an entity only through its capital or seat of power
    entity: str = ""  # profile page; Trends drill-down
    q: str = ""  # Articles search
    day: dt.date | None = None  # Trends drill-down

    # --- decoding -------------------------------------------------------------------------

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Filters:
        """Filters from a query mapping (values str or list of str). Never raises."""
        d = cls()
        period = _one(query, "period")
        start, end = _date(_one(query, "from")), _date(_one(query, "to"))
        if period == "custom" and start and end and start <= end:
            period_value, start_value, end_value = "custom", start, end
        elif period in PERIODS and period != "custom":
            period_value, start_value, end_value = period, None, None
        else:
            period_value, start_value, end_value = d.period, None, None
        return cls(
            period=period_value,
            start=start_value,
            end=end_value,
            languages=_list(query, "lang", lambda v: v.lower() if _LANG_RE.match(v.lower()) else None),
            feeds=_list(query, "feed", _feed_id),
            types=_list(query, "type", lambda v: v if v in ENTITY_TYPES else None),
            entities=_list(query, "e", lambda v: v if _ENTITY_RE.match(v) else None),
            norm=_choice(_one(query, "norm"), NORMS, d.norm),
            grain=_choice(_one(query, "grain"), GRAINS, d.grain),
            rolling=_rolling(_one(query, "roll")),
            seats=_one(query, "seats") != "0",
            entity=v if _ENTITY_RE.match(v := _one(query, "entity")) else "",
            q=_one(query, "q").strip()[:MAX_QUERY_CHARS],
            day=_date(_one(query, "day")),
        )

    # --- encoding -------------------------------------------------------------------------

    def to_query(self, *, shared_only: bool = False) -> dict[str, str]:
        """The query parameters that differ from the defaults.

        `shared_only` keeps what the sidebar filters mean on every page and drops the
        page-specific keys (profile entity, search, selected day): that is what navigation
        links carry from page to page.
        """
        d = Filters()
        out: dict[str, str] = {}
        if self.period != d.period:
            out["period"] = self.period
        if self.period == "custom" and self.start and self.end:
            out["from"], out["to"] = self.start.isoformat(), self.end.isoformat()
        for key, values in (("lang", self.languages), ("feed", self.feeds), ("type", self.types),
                            ("e", self.entities)):
            if values:
                out[key] = ",".join(str(v) for v in values)
        if self.norm != d.norm:
            out["norm"] = self.norm
        if self.grain != d.grain:
            out["grain"] = self.grain
        if self.rolling != d.rolling:
            out["roll"] = str(self.rolling)
        if not self.seats:
            out["seats"] = "0"
        if not shared_only:
            if self.entity:
                out["entity"] = self.entity
            if self.q:
                out["q"] = self.q
            if self.day:
                out["day"] = self.day.isoformat()
        return out

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    # --- meaning --------------------------------------------------------------------------

    def date_range(self, today: dt.date, first_day: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """Inclusive (start, end) days this filter covers, given today and the archive's first day."""
        if self.period == "custom" and self.start and self.end:
            return self.start, self.end
        if self.period == "all":
            return (min(first_day, today) if first_day else today), today
        days = PERIOD_DAYS.get(self.period, PERIOD_DAYS["90d"])
        return today - dt.timedelta(days=days - 1), today


def previous_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [start, end]."""
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


# --- tolerant parsing helpers -------------------------------------------------------------

def _one(query: Mapping[str, Any], key: str) -> str:
    """The last value of `key` as a string ('' when absent); repeated keys keep the last one."""
    value = query.get(key, "")
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else str(value)


def _list(query: Mapping[str, Any], key: str, parse: Any) -> tuple[Any, ...]:
    raw = query.get(key, "")
    parts: Iterable[Any] = raw if isinstance(raw, list | tuple) else [raw]
    seen: list[Any] = []
    for part in parts:
        for item in str(part).split(","):
            value = parse(item.strip()) if item.strip() else None
            if value is not None and value not in seen:
                seen.append(value)
    return tuple(seen[:MAX_LIST])


def _choice(value: str, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _date(value: str) -> dt.date | None:
    if not _DAY_RE.match(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31) else None


def _feed_id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) < 10 and int(value) > 0 else None


def _rolling(value: str) -> int:
    if value.isdigit() and len(value) < 4:
        return min(int(value), MAX_ROLLING)
    return 0
