"""House rules of the dashboard that a grep can hold: one module owns the URL, caching stays in ui/."""

from __future__ import annotations

from tests.ui.conftest import ROOT

DASHBOARD = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def test_only_ui_state_reads_or_writes_the_query_params() -> None:
    offenders = [p.relative_to(ROOT).as_posix() for p in DASHBOARD
                 if "query_params" in p.read_text(encoding="utf-8").replace("query_params=", "")
                 and p.name != "state.py"]
    assert offenders == [], "st.query_params belongs to ui/state.py (links may pass query_params=...)"


def test_pages_do_not_cache_on_their_own() -> None:
    offenders = [p.relative_to(ROOT).as_posix() for p in DASHBOARD
                 if "st.cache_data" in p.read_text(encoding="utf-8") and p.parent.name != "ui"]
    assert offenders == []
    for folder in ("sitroom", "loaders"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "cache_data" not in path.read_text(encoding="utf-8"), path
