"""Every page runs without an exception on the fixture archive and on an empty one.

Parametrised over app.py + pages/*.py, so a new page is covered without touching this file.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, PAGES

ALL = ["app.py", *PAGES]
TIMEOUT = 90


def run_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page != "app.py":
        at.run()
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [t.value for t in at.title] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", ALL)
def test_page_runs_on_the_fixture_archive(archive, page: str) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1
    assert "Sitroom" in texts(at)  # the shared frame's navigation


@pytest.mark.parametrize("page", ALL)
def test_page_runs_on_an_empty_archive_and_says_what_to_do(empty_archive, page: str) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    body = texts(at)
    assert "no articles yet" in body or "No feed yet" in body


EXPECTED = {
    "app.py": ["Articles read (the denominator)", "articles read"],
    "pages/1_Movers.py": ["compared with", "Country"],
    "pages/2_Entity.py": ["Pick an entity"],
    "pages/3_Map.py": ["countries mentioned"],
    "pages/4_Articles.py": ["article(s)"],
    "pages/5_Sources.py": ["3 feeds", "Add a feed", "OPML"],
}


@pytest.mark.parametrize("page", ALL)
def test_key_elements_are_present(archive, page: str) -> None:
    at = run_page(page)
    body = texts(at)
    for expected in EXPECTED.get(page, []):
        assert expected in body, (expected, body[:2000])


def test_map_outlines_are_served_from_the_checkout() -> None:
    """Plotly would fetch the world outline from a CDN: a self-hosted map must not need the internet."""
    import json
    import tomllib

    from tests.ui.conftest import ROOT

    topo = json.loads((ROOT / "static" / "topojson" / "world_110m.json").read_text(encoding="utf-8"))
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    assert {"FRA", "RUS", "UKR", "USA"} <= ids  # the ISO3 ids the choropleth's locations use
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert 'TOPOJSON_URL = "app/static/topojson/"' in (ROOT / "pages" / "3_Map.py").read_text(encoding="utf-8")
