"""The Sources page against a real loopback feed server: add a feed, update now, see it healthy."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.loaders.faultserver import FaultServer
from tests.ui.conftest import APP

TIMEOUT = 90


def sources() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/5_Sources.py")
    return at.run()


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def wait_for_update(at: AppTest, timeout: float = TIMEOUT) -> AppTest:
    """"Update now" runs in the background poller: rerun the page (as the status line's fragment
    does in a browser) until the page reports the finished update."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if any("Update done" in s.value for s in at.success) or at.error:
            return at
        time.sleep(0.3)
    raise AssertionError(f"the background update did not finish in {timeout} s")


def test_add_a_feed_update_now_and_see_its_health(empty_archive) -> None:
    with FaultServer() as server:
        url = server.url("/feed/world.xml")
        at = sources()
        assert any("No feed yet" in i.value for i in at.info)
        next(t for t in at.text_input if t.label.startswith("Feed URL")).input(url)
        next(t for t in at.text_input if t.label == "Name (optional)").input("Loopback World")
        next(t for t in at.text_input if t.label == "Language").input("en")
        button(at, "Add").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("Subscribed" in s.value for s in at.success)
        button(at, "Update now").click().run()
        assert not at.exception, [e.value for e in at.exception]
        wait_for_update(at)
        assert server.requests_to("/feed/world.xml"), "update now did not poll the feed"
        assert any("Update done: 1/1 feeds ok" in s.value for s in at.success), [s.value for s in at.success]
        table = next(d.value for d in at.dataframe if "status" in d.value.columns)
        row = table.set_index("feed_name").loc["Loopback World"]
        assert row["status"] == "ok" and row["n_polls"] == 1
        # the same URL again is refused with the reason
        next(t for t in at.text_input if t.label.startswith("Feed URL")).input(url)
        button(at, "Add").click().run()
        assert any("already subscribed" in e.value for e in at.error)
        # disable, then remove: a feed with articles is kept (disabled) as their label
        button(at, "Disable").click().run()
        table = next(d.value for d in at.dataframe if "status" in d.value.columns)
        assert table.set_index("feed_name").loc["Loopback World", "status"] == "disabled"
        button(at, "Remove").click().run()
        assert any("Unsubscribed" in s.value or "Removed" in s.value for s in at.success)
