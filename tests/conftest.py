"""Fixtures shared by every layer's tests. Area-specific fixtures live beside their tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.sqlite"


@pytest.fixture
def engine(db_path: Path):
    from loaders.db import make_engine

    eng = make_engine(db_path)
    yield eng
    eng.dispose()
