"""Fixtures for the dashboard's AppTest tests: an invented archive in a temp file, pointed to by SITROOM_DB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.fixture_archive import build_archive, build_empty_archive

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture archive; polling off so no test ever touches the network."""
    path = tmp_path / "archive.sqlite"
    build_archive(path).dispose()
    monkeypatch.setenv("SITROOM_DB", str(path))
    monkeypatch.setenv("SITROOM_POLL_MINUTES", "0")
    return path


@pytest.fixture
def empty_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "empty.sqlite"
    build_empty_archive(path).dispose()
    monkeypatch.setenv("SITROOM_DB", str(path))
    monkeypatch.setenv("SITROOM_POLL_MINUTES", "0")
    return path
