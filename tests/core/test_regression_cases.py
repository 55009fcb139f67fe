"""Self-describing extraction cases in tests/extraction_cases/ (format: that folder's README.md),
plus the real seed article when /work/shared is there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from loaders.gazetteer_files import read_gazetteer
from sitroom.matching import Matcher

CASES_DIR = Path(__file__).resolve().parent.parent / "extraction_cases"
SEED_ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "seed-article-fr.txt"

# The article body of the seed article names exactly these; its headline line above the page
# counter names four people (Trump, Erdogan, Putin, Zelensky) from another story.
SEED_BODY_ENTITIES = {
    "country:CN", "country:RU", "country:UA", "country:US", "org:eu", "company:iemz-kupol",
    "company:sichuan-aee", "company:tsk-vektor", "weapon:garpiya-3", "weapon_class:drone",
}
SEED_HEADLINE_PERSONS = {
    "person:donald-trump", "person:recep-tayyip-erdogan", "person:vladimir-putin", "person:volodymyr-zelensky",
}


@dataclass
class Case:
    name: str
    lang: str | None = None
    title: str = ""
    text: str = ""
    must: set[str] = field(default_factory=set)
    must_not: set[str] = field(default_factory=set)
    only: bool = False
    note: str = ""


def parse_cases(path: Path) -> list[Case]:
    parts = path.read_text(encoding="utf-8").split("\n---\n")
    cases = []
    for i, part in enumerate(parts):
        header, _, body = part.partition("\n\n")
        case = Case(name=f"{path.stem}#{i}" if len(parts) > 1 else path.stem, text=body)
        for line in header.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "lang":
                case.lang = value or None
            elif key == "must":
                case.must |= set(value.split())
            elif key == "must_not":
                case.must_not |= set(value.split())
            elif key == "only":
                case.only = value.lower() in ("yes", "true", "1")
            elif key == "title":
                case.title = value
            elif key == "note":
                case.note = value
            else:
                raise ValueError(f"{path.name}: unknown header key {key!r}")
        cases.append(case)
    return cases


ALL_CASES = [c for p in sorted(CASES_DIR.glob("*.txt")) for c in parse_cases(p)]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_gazetteer(read_gazetteer(user_file=Path("/nonexistent/user.csv")))


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_case(case: Case, matcher: Matcher) -> None:
    found = {m.entity_id for m in matcher.find_mentions(case.title, case.text, case.lang)}
    assert case.must <= found, f"missing {sorted(case.must - found)} ({case.note})"
    assert not (case.must_not & found), f"false {sorted(case.must_not & found)} ({case.note})"
    if case.only:
        assert found == case.must, f"unexpected {sorted(found - case.must)} ({case.note})"


def test_every_case_asserts_something() -> None:
    assert ALL_CASES
    for case in ALL_CASES:
        assert case.must or case.must_not, case.name


def test_must_ids_exist_in_the_gazetteer(matcher: Matcher) -> None:
    """A typo in a `must` id would fail for the wrong reason; a `must_not` id may be one that no
    longer exists (a guard against it coming back)."""
    known = set(matcher.gazetteer.by_id()) if matcher.gazetteer else set()
    for case in ALL_CASES:
        assert case.must <= known, f"{case.name}: unknown ids {sorted(case.must - known)}"


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="the shared seed article is not in this checkout")
def test_real_seed_article(matcher: Matcher) -> None:
    """The whole page as pasted: the headline of another story, a counter, the article, 'Source link'."""
    lines = SEED_ARTICLE.read_text(encoding="utf-8").split("\n")
    mentions = matcher.find_mentions("", "\n".join(lines), "fr")
    found = {m.entity_id for m in mentions}
    assert found >= SEED_BODY_ENTITIES
    assert found <= SEED_BODY_ENTITIES | SEED_HEADLINE_PERSONS, sorted(found - SEED_BODY_ENTITIES)
    # Nothing comes from the noise lines themselves.
    text = "\n".join(lines)
    counter = re.search(r"\|\s*2\s*475", text)
    assert counter is not None
    noise_spans = [counter.span(), (text.index("Source link"), len(text))]
    for m in mentions:
        assert not any(a <= m.start < b for a, b in noise_spans), m
    # The article body alone (from its own title on) names exactly the body set.
    body_start = next(i for i, line in enumerate(lines) if line.startswith("Des experts chinois en drones"))
    body = {m.entity_id for m in matcher.find_mentions(lines[body_start], "\n".join(lines[body_start + 1 :]), "fr")}
    assert body == SEED_BODY_ENTITIES
