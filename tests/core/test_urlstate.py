"""The URL codec: tolerant decoding, minimal encoding, and a lossless round trip."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sitroom.urlstate import ENTITY_TYPES, GRAINS, MAX_ROLLING, NORMS, Filters, previous_range

TODAY = dt.date(2026, 11, 24)


def test_empty_query_gives_the_defaults_and_defaults_encode_to_nothing() -> None:
    assert Filters.from_query({}) == Filters()
    assert Filters().to_query() == {}


def test_a_full_query_decodes_every_field() -> None:
    f = Filters.from_query({
        "period": "custom", "from": "2026-01-01", "to": "2026-01-31", "lang": "fr,en", "feed": "3,1",
        "type": "country,weapon", "e": "country:FR,company:iemz-kupol", "norm": "raw", "grain": "week",
        "roll": "7", "seats": "0", "entity": "org:nato", "q": "drones", "day": "2026-01-15",
    })
    assert f == Filters(
        period="custom", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), languages=("fr", "en"), feeds=(3, 1),
        types=("country", "weapon"), entities=("country:FR", "company:iemz-kupol"), norm="raw", grain="week",
        rolling=7, seats=False, entity="org:nato", q="drones", day=dt.date(2026, 1, 15),
    )


def test_bad_values_fall_back_to_defaults_and_never_raise() -> None:
    f = Filters.from_query({
        "period": "forever", "lang": "french,EN,<x>", "feed": "abc,-1,0,7", "type": "planet,country",
        "e": "nope,country:FR,country:FR,<script>", "norm": "log", "grain": "hour", "roll": "-3",
        "seats": "maybe", "entity": "javascript:alert(1)", "day": "2026-02-30",
    })
    assert f.period == "90d"
    assert f.languages == ("en",)
    assert f.feeds == (7,)
    assert f.types == ("country",)
    assert f.entities == ("country:FR",)  # duplicates dropped
    assert (f.norm, f.grain, f.rolling) == ("per1000", "day", 0)
    assert f.seats is True and f.entity == "" and f.day is None


def test_custom_period_needs_a_valid_ordered_range() -> None:
    assert Filters.from_query({"period": "custom", "from": "2026-02-01"}).period == "90d"
    assert Filters.from_query({"period": "custom", "from": "2026-02-01", "to": "2026-01-01"}).period == "90d"
    # from/to without period=custom mean nothing and are cleaned from the URL
    f = Filters.from_query({"period": "30d", "from": "2026-01-01", "to": "2026-01-31"})
    assert f.to_query() == {"period": "30d"}


def test_repeated_keys_and_list_values_are_accepted() -> None:
    f = Filters.from_query({"lang": ["fr", "en"], "period": ["7d", "30d"]})
    assert f.languages == ("fr", "en") and f.period == "30d"


def test_rolling_is_clamped() -> None:
    assert Filters.from_query({"roll": "5000"}).rolling == 0
    assert Filters.from_query({"roll": "365"}).rolling == MAX_ROLLING


def test_shared_only_drops_page_specific_keys() -> None:
    f = Filters(period="30d", entity="country:FR", q="x", day=TODAY)
    assert f.to_query(shared_only=True) == {"period": "30d"}
    assert f.to_query() == {"period": "30d", "entity": "country:FR", "q": "x", "day": "2026-11-24"}


def test_date_ranges() -> None:
    assert Filters(period="7d").date_range(TODAY) == (dt.date(2026, 11, 18), TODAY)
    assert Filters().date_range(TODAY) == (TODAY - dt.timedelta(days=89), TODAY)
    assert Filters(period="all").date_range(TODAY, dt.date(2020, 1, 1)) == (dt.date(2020, 1, 1), TODAY)
    custom = Filters(period="custom", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2))
    assert custom.date_range(TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert previous_range(dt.date(2026, 1, 8), dt.date(2026, 1, 14)) == (dt.date(2026, 1, 1), dt.date(2026, 1, 7))


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
entity_ids = st.from_regex(r"\A(country|company|org|weapon):[A-Za-z0-9._-]{1,20}\Z")


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    period = draw(st.sampled_from(["7d", "30d", "90d", "1y", "all", "custom"]))
    start = end = None
    if period == "custom":
        a, b = sorted([draw(days), draw(days)])
        start, end = a, b
    return Filters(
        period=period, start=start, end=end,
        languages=tuple(draw(st.lists(st.from_regex(r"\A[a-z]{2,3}\Z"), unique=True, max_size=4))),
        feeds=tuple(draw(st.lists(st.integers(1, 10**6), unique=True, max_size=5))),
        types=tuple(draw(st.lists(st.sampled_from(ENTITY_TYPES), unique=True))),
        entities=tuple(draw(st.lists(entity_ids, unique=True, max_size=6))),
        norm=draw(st.sampled_from(NORMS)), grain=draw(st.sampled_from(GRAINS)),
        rolling=draw(st.integers(0, MAX_ROLLING)), seats=draw(st.booleans()),
        entity=draw(st.one_of(st.just(""), entity_ids)),
        q=draw(st.text(max_size=50).map(str.strip)),
        day=draw(st.one_of(st.none(), days)),
    )


@given(filters())
def test_round_trip(f: Filters) -> None:
    assert Filters.from_query(f.to_query()) == f


@given(st.dictionaries(st.sampled_from(["period", "from", "to", "lang", "feed", "type", "e", "norm", "grain",
                                        "roll", "seats", "entity", "q", "day", "junk"]),
                       st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3))))
def test_any_query_decodes_and_reencodes_to_a_fixed_point(query: dict[str, object]) -> None:
    f = Filters.from_query(query)
    assert Filters.from_query(f.to_query()) == f
