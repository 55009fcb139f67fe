"""Browser tests: the real `streamlit run app.py` on a free loopback port, driven by Debian's chromium.

The server is started on a fixture archive (invented headlines, `fixture.py`) with background
polling off, polled on `/_stcore/health` until healthy (a timeout fails with the server's log),
and stopped at the end. Playwright drives `/usr/bin/chromium` (never a downloaded browser).

Without chromium or Playwright the tests are skipped, except when SITROOM_REQUIRE_BROWSER=1
(CI), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.fixture import build_fixture_archive

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = ROOT / "pages"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
HEALTH_TIMEOUT_S = 60.0
RUN_TIMEOUT_MS = 30_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _require_browser() -> bool:
    return os.environ.get("SITROOM_REQUIRE_BROWSER", "") not in ("", "0")


def _missing(reason: str) -> None:
    if _require_browser():
        pytest.fail(f"SITROOM_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


# --- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20_000:]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(db_path: Path, log_path: Path, *, app: Path = APP, **env_extra: str) -> Iterator[Server]:
    """`streamlit run app.py` on a free port, healthy, stopped on exit; fails with its log."""
    port = free_port()
    env = {**os.environ, "SITROOM_DB": str(db_path), "SITROOM_POLL_MINUTES": "0", **env_extra}
    env.pop("SITROOM_REQUIRE_BROWSER", None)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", proc=proc, log_path=log_path, env=env)
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while not _healthy(server.url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode} before it was healthy:\n{server.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {HEALTH_TIMEOUT_S:.0f} s:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_archive(tmp_path_factory.mktemp("browser") / "archive.sqlite")


@pytest.fixture(scope="session")
def server(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not APP.exists():
        pytest.skip("app.py is not written yet")
    with streamlit_server(archive, tmp_path_factory.mktemp("logs") / "streamlit.log") as srv:
        yield srv


@pytest.fixture
def fresh_server(archive: Path, tmp_path: Path) -> Iterator[Server]:
    """A server process of its own: its caches and sessions are cold."""
    if not APP.exists():
        pytest.skip("app.py is not written yet")
    with streamlit_server(archive, tmp_path / "streamlit.log") as srv:
        yield srv


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    # launch() gives chromium a fresh temporary profile (user data dir) of its own, deleted on close
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Tab:
    """A page plus what the tests check on every page: dialogs and uncaught JS errors."""

    page: object
    dialogs: list[str]
    errors: list[str]
    external: list[str] = field(default_factory=list)  # requests to hosts other than this machine


@pytest.fixture
def tab(browser) -> Iterator[Tab]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    external: list[str] = []

    def on_request(request) -> None:  # type: ignore[no-untyped-def]
        # a self-hosted dashboard must not call out (fonts, CDNs, map outlines): record any attempt
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK_HOSTS:
            external.append(request.url)

    page.on("request", on_request)
    yield Tab(page=page, dialogs=dialogs, errors=errors, external=external)
    context.close()


def wait_for_run(page, *, after_action: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit is connected and its script run has finished ("notRunning").

    After an interaction the rerun may not have started yet: wait briefly for "running" first.
    """
    app = '[data-testid="stApp"]'
    page.wait_for_selector(f'{app}[data-test-connection-state="CONNECTED"]', state="attached")
    if after_action:
        with contextlib.suppress(Exception):
            page.wait_for_selector(f'{app}[data-test-script-state="running"]', state="attached", timeout=1500)
    page.wait_for_selector(f'{app}[data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"] >> text=Running', state="detached")
    page.wait_for_timeout(300)  # let the last deltas paint


def page_files() -> list[Path]:
    return [APP, *sorted(PAGES.glob("*.py"))] if PAGES.exists() else [APP]
