"""The README's settings table and the Settings dataclass describe the same variables."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from sitroom.settings import Settings
from tests.conftest import ROOT


def readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(SITROOM_[A-Z_]+)` \|", text, flags=re.MULTILINE))


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = readme_variables()
    for f in fields(Settings):
        assert f"SITROOM_{f.name.upper()}" in documented, f"SITROOM_{f.name.upper()} missing from README"


def test_environment_overrides_and_bad_values() -> None:
    s = Settings.from_env({"SITROOM_POLL_MINUTES": "0", "SITROOM_FETCH_TIMEOUT_S": "2.5"})
    assert s.poll_minutes == 0 and s.fetch_timeout_s == 2.5
    with pytest.raises(ValueError, match="SITROOM_POLL_MINUTES"):
        Settings.from_env({"SITROOM_POLL_MINUTES": "often"})
