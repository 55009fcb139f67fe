"""Golden feed files: each `tests/fixtures/feeds/<name>.<ext>` has its expected result in `<name>.json`.

The expected files were generated with `python -m tests.loaders.test_parse --write` and then
read and corrected by hand; a change in what the parser produces shows up as a diff here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.errors import EmptyBody, EntityBomb, MalformedFeed, NotAFeed, ParseError
from loaders.parse import ParsedFeed, parse_feed_bytes
from sitroom.records import Entry

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FEED_URL = "https://feeds.example/golden"
FETCHED_AT = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
GOLDEN = sorted(p for p in FEEDS.iterdir() if p.suffix != ".json" and p.with_suffix(".json").exists())


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "uid": entry.uid,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "published": entry.published.isoformat(),
        "published_raw": entry.published_raw,
        "published_estimated": entry.published_estimated,
        "language": entry.language,
        "author": entry.author,
        "categories": list(entry.categories),
        "guid": entry.guid,
    }


def observed(path: Path, *, fast: bool = True) -> dict[str, Any]:
    try:
        parsed = parse_feed_bytes(
            path.read_bytes(), feed_url=FEED_URL, feed_language="", fetched_at=FETCHED_AT, fast=fast
        )
    except ParseError as exc:
        return {"error": type(exc).__name__, "error_class": exc.error_class}
    return {
        "parser": parsed.parser,
        "title": parsed.title,
        "link": parsed.link,
        "self_link": parsed.self_link,
        "language": parsed.language,
        "has_warnings": bool(parsed.warnings),
        "entries": [entry_json(e) for e in parsed.entries],
    }


def test_golden_directory_is_not_empty() -> None:
    assert len(GOLDEN) >= 18


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_feed(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert observed(path) == expected


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_fast_path_and_feedparser_agree(path: Path) -> None:
    fast, slow = observed(path, fast=True), observed(path, fast=False)
    if fast.get("parser") == "feedparser":
        pytest.skip("the fast path hands this file to feedparser")
    fast.pop("parser", None)
    slow.pop("parser", None)
    assert fast == slow  # typed errors included


def parse(data: bytes, **kwargs: Any) -> ParsedFeed:
    return parse_feed_bytes(data, feed_url=FEED_URL, feed_language=kwargs.pop("feed_language", ""),
                            fetched_at=FETCHED_AT, **kwargs)


@pytest.mark.parametrize(
    ("name", "error"),
    [("empty.xml", EmptyBody), ("whitespace_only.xml", EmptyBody), ("entity_bomb.xml", EntityBomb),
     ("html_page.html", NotAFeed), ("not_a_feed.xml", NotAFeed), ("malformed.xml", MalformedFeed)],
)
def test_typed_errors_keep_the_url(name: str, error: type[ParseError]) -> None:
    with pytest.raises(error) as info:
        parse((FEEDS / name).read_bytes())
    assert info.value.url == FEED_URL
    assert str(info.value)


def test_entity_bomb_in_utf16_is_refused_too() -> None:
    data = (FEEDS / "entity_bomb.xml").read_text(encoding="utf-8").replace('<?xml version="1.0"?>', "")
    with pytest.raises(EntityBomb):
        parse(data.encode("utf-16"))


def test_external_dtd_without_entities_is_accepted() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel><title>Old</title>'
        b"<link>https://old.example/</link><language>en</language><item><title>Old school item</title>"
        b"<link>https://old.example/1</link></item></channel></rss>"
    )
    parsed = parse(data)
    assert [e.title for e in parsed.entries] == ["Old school item"]
    assert parsed.parser == "feedparser"


def test_configured_language_wins_over_channel_language() -> None:
    parsed = parse((FEEDS / "rss2_french_cdata.xml").read_bytes(), feed_language="en-GB")
    assert {e.language for e in parsed.entries} == {"en"}
    assert parsed.language == "fr"  # what the channel itself declared


def test_truncated_feed_keeps_items_and_says_so() -> None:
    parsed = parse((FEEDS / "truncated.xml").read_bytes())
    assert [e.title for e in parsed.entries][:2] == ["First complete item", "Second complete item"]
    assert parsed.warnings and "ill-formed" in parsed.warnings[0]


def test_latin1_body_declared_utf8_still_gives_text() -> None:
    parsed = parse((FEEDS / "latin1_declared_utf8.xml").read_bytes())
    assert parsed.entries[0].title == "La télévision publique s'inquiète des coupes"


def test_undated_items_take_fetch_time_and_future_dates_are_clamped() -> None:
    undated = parse((FEEDS / "no_date.xml").read_bytes()).entries
    assert all(e.published == FETCHED_AT and e.published_estimated for e in undated)
    future = {e.title: e for e in parse((FEEDS / "future_date.xml").read_bytes()).entries}
    clamped = future["Embargoed story dated years ahead"]
    assert (clamped.published, clamped.published_estimated) == (FETCHED_AT, True)
    assert clamped.published_raw == "Thu, 01 Jan 2032 00:00:00 +0000"
    assert not future["Story thirty minutes ahead, within tolerance"].published_estimated


def test_fetched_at_and_now_are_separate() -> None:
    """The backfill passes the file's capture time as fetched_at and the real clock as now."""
    later = FETCHED_AT + dt.timedelta(days=3000)
    parsed = parse_feed_bytes((FEEDS / "future_date.xml").read_bytes(), feed_url=FEED_URL, feed_language="",
                              fetched_at=FETCHED_AT, now=later)
    embargoed = parsed.entries[0]
    assert embargoed.published == dt.datetime(2032, 1, 1, tzinfo=dt.UTC) and not embargoed.published_estimated


def test_parser_only_ever_reads_bytes(tmp_path: Path) -> None:
    """A body that is a path or URL is data, never something feedparser opens."""
    secret = tmp_path / "secret.xml"
    secret.write_bytes((FEEDS / "atom.xml").read_bytes())
    for body in (str(secret).encode(), b"https://feeds.example/elsewhere.xml"):
        with pytest.raises(ParseError):
            parse(body)


if __name__ == "__main__" and "--write" in sys.argv:
    for golden in sorted(p for p in FEEDS.iterdir() if p.suffix != ".json"):
        golden.with_suffix(".json").write_text(
            json.dumps(observed(golden), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print("wrote", golden.with_suffix(".json").name)


VALID = [p for p in GOLDEN if "error" not in json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))]


@given(st.sampled_from(VALID), st.integers(0, 10_000), st.binary(max_size=8), st.integers(0, 10_000))
@settings(max_examples=200, deadline=None)
def test_damaged_feeds_end_in_entries_or_a_typed_error(path: Path, cut: int, junk: bytes, at: int) -> None:
    """Truncated or corrupted bytes: a ParsedFeed or a ParseError, never anything else."""
    data = path.read_bytes()
    data = data[: cut % (len(data) + 1)]
    position = at % (len(data) + 1)
    data = data[:position] + junk + data[position:]
    try:
        parsed = parse(data)
    except ParseError:
        return
    for entry in parsed.entries:
        assert entry.uid and (entry.title or entry.summary or entry.url)
        assert entry.published.tzinfo is not None


PREFIXES = [b"", b'<?xml version="1.0"?>', b'<rss version="2.0"><channel><item><title>', b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>", b"\xff\xfe"]


@given(st.sampled_from(PREFIXES), st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_end_in_entries_or_a_typed_error(prefix: bytes, data: bytes) -> None:
    with contextlib.suppress(ParseError):  # anything else fails the test
        parse(prefix + data)
