"""The core package stays pure: importing any of its modules loads no UI, network, storage or parser."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sitroom
from tests.conftest import ROOT

FORBIDDEN = ("streamlit", "httpx", "sqlalchemy", "feedparser", "requests", "urllib3", "loaders", "ui")


def core_modules() -> list[str]:
    return sorted(
        f"sitroom.{m.name}" for m in pkgutil.iter_modules(sitroom.__path__) if m.name != "__main__"
    )


def test_core_imports_nothing_from_outer_layers() -> None:
    modules = core_modules()
    assert modules, "no core modules found"
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in outer layers: {out.stdout.strip()}"


def test_only_ui_layer_imports_streamlit() -> None:
    offenders = []
    for folder in ("sitroom", "loaders"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "import streamlit" in text or "from streamlit" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
