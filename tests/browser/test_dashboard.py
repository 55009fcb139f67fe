"""The dashboard in a real browser: deep links, URL state across pages, chart drill-down, escaping,
and a screenshot of every page (tests/screenshots/<page>.png, full page, 1400 px wide;
docs/screenshots/ with SITROOM_UPDATE_SCREENSHOTS=1).

Every test waits for Streamlit's run to finish ("notRunning") before it asserts.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails under SITROOM_REQUIRE_BROWSER) first
    expect = None  # type: ignore[assignment]

from tests.browser.conftest import ROOT, VIEWPORT, Server, Tab, page_files, wait_for_run
from tests.browser.fixture import SCRIPT_TITLE, last_day

# Screenshots go to tests/screenshots/ (git-ignored) on every run, to look at; with
# SITROOM_UPDATE_SCREENSHOTS=1 they refresh the committed ones in docs/screenshots/ (the README's).
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("SITROOM_UPDATE_SCREENSHOTS") == "1"
               else ROOT / "tests" / "screenshots")
SPIKE_DAY = last_day() - dt.timedelta(days=9)  # fixture.py: the Ukraine/Russia spike
SCRIPT_DAY = last_day() - dt.timedelta(days=2)  # fixture.py: the <script> title
# page-specific state for the screenshots, so that each one shows something
SCREENSHOT_QUERY = {
    "trends": "e=country:UA,country:RU,country:FR",
    "entity": "entity=country:UA",
    "articles": "q=talks&period=30d",
}


def page_slug(script: Path) -> str:
    """app.py -> 'trends'; pages/1_Movers.py -> 'movers' (the screenshot name)."""
    if script.name == "app.py":
        return "trends"
    return re.sub(r"^\d+_", "", script.stem).lower()


def page_path(script: Path) -> str:
    """The URL path Streamlit serves a page script at: app.py -> '', pages/1_Movers.py -> 'Movers'."""
    if script.name == "app.py":
        return ""
    return re.sub(r"^\d+_", "", script.stem)


def query(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {k: v for k, v in parse_qs(urlsplit(page.url).query).items()}


def no_exception(tab: Tab) -> None:
    exceptions = tab.page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert tab.errors == [], tab.errors
    assert tab.dialogs == [], tab.dialogs
    assert tab.external == [], f"requests left this machine: {tab.external}"


def widget(page, kind: str, label: str):  # type: ignore[no-untyped-def]
    """The widget of test id `kind` (stSelectbox, stMultiSelect...) whose label is `label`."""
    return page.locator(f'[data-testid="{kind}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    ).first


def full_page_screenshot(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Streamlit scrolls inside its main section, not the document: grow the viewport to the
    content's height first, so the screenshot holds the whole page (1400 px wide)."""
    height = page.evaluate("""() => Math.max(
        ...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]', '[data-testid="stSidebarContent"]']
        .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(int(height) + 40, 8000))})
    page.wait_for_timeout(800)  # Plotly redraws at the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("script", page_files(), ids=page_slug)
def test_every_page_renders_and_is_screenshotted(server: Server, tab: Tab, script: Path) -> None:
    slug = page_slug(script)
    extra = SCREENSHOT_QUERY.get(slug, "")
    tab.page.goto(f"{server.url}/{page_path(script)}" + (f"?{extra}" if extra else ""))
    wait_for_run(tab.page)
    no_exception(tab)
    assert tab.page.locator("h1").first.is_visible()
    charts = tab.page.locator(".js-plotly-plot")
    if charts.count():
        charts.first.wait_for(state="visible")
        tab.page.wait_for_timeout(500)  # plotly's first paint
    if tab.page.locator(".js-plotly-plot .geolayer g.geo").count():
        # a map draws its countries only once the outlines (topojson) arrived: from this server,
        # since a self-hosted dashboard must draw offline (no CDN here)
        tab.page.locator(".js-plotly-plot .choroplethlocation").first.wait_for(state="attached", timeout=15_000)
    full_page_screenshot(tab.page, SCREENSHOTS / f"{slug}.png")
    assert (SCREENSHOTS / f"{slug}.png").stat().st_size > 10_000


def test_a_cold_deep_link_restores_the_view(fresh_server: Server, tab: Tab) -> None:
    tab.page.goto(f"{fresh_server.url}/?period=30d&lang=fr&norm=raw&grain=week&e=country:UA,country:RU")
    wait_for_run(tab.page)
    no_exception(tab)
    page = tab.page
    expect(page.get_by_role("combobox", name="Period")).to_have_value("Last 30 days")
    expect(tag_locator(page, "Languages")).to_have_text(["fr"])
    assert page.get_by_role("radio", name="Raw article counts").is_checked()
    assert page.get_by_role("radio", name="Week").is_checked()
    expect(tag_locator(page, "Entities to compare")).to_have_text([re.compile("Ukraine"), re.compile("Russia")])
    q = query(page)
    assert q["period"] == ["30d"] and q["lang"] == ["fr"] and q["norm"] == ["raw"] and q["grain"] == ["week"]
    assert q["e"] == ["country:UA,country:RU"]


def tag_locator(page, label: str):  # type: ignore[no-untyped-def]
    """The values shown as tags in the multiselect labelled `label`."""
    return widget(page, "stMultiSelect", label).locator("[data-tag]")


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick `option` in the selectbox labelled `label`."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_run(page, after_action=True)


def test_the_url_follows_the_filters_across_pages(server: Server, tab: Tab) -> None:
    others = [s for s in page_files() if s.name != "app.py"]
    if not others:
        pytest.skip("no page besides Trends yet")
    target = others[0]
    page = tab.page
    page.goto(server.url)
    wait_for_run(page)
    choose(page, "Period", "Last 30 days")
    page.locator('[data-testid="stRadioOption"]', has_text="Raw article counts").click()
    wait_for_run(page, after_action=True)
    assert query(page).get("period") == ["30d"] and query(page).get("norm") == ["raw"]

    link = page.locator('[data-testid="stSidebarNav"] a, [data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
    link.filter(has_text=re.compile(page_slug(target), re.I)).first.click()
    page.wait_for_url(re.compile(f"/{page_path(target)}\\?"))
    wait_for_run(page, after_action=True)
    no_exception(tab)
    assert query(page).get("period") == ["30d"], page.url
    expect(page.get_by_role("combobox", name="Period")).to_have_value("Last 30 days")


def click_point(page, trace_name: str, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Click the point of `trace_name` at `day` on the first Plotly chart, where it is drawn."""
    xy = page.evaluate(
        """([name, day]) => {
            const gd = document.querySelector('.js-plotly-plot');
            const trace = gd._fullData.find(t => t.name === name);
            const i = trace.x.findIndex(x => String(x).slice(0, 10) === day);
            if (i < 0) return null;
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + xa.l2p(xa.d2l(trace.x[i])), box.top + ya.l2p(trace.y[i])];
        }""",
        [trace_name, day.isoformat()],
    )
    assert xy, f"no point of {trace_name} on {day}"
    page.mouse.move(xy[0], xy[1])
    page.wait_for_timeout(300)
    page.mouse.click(xy[0], xy[1])


def test_a_click_on_a_chart_point_lists_the_articles_of_that_day(server: Server, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{server.url}/?e=country:UA")
    wait_for_run(page)
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    page.wait_for_timeout(500)
    click_point(page, "Ukraine", SPIKE_DAY)
    wait_for_run(page, after_action=True)
    no_exception(tab)
    heading = page.get_by_role("heading", name=re.compile(f"articles of {SPIKE_DAY:%d %b %Y}"))
    heading.wait_for(state="visible")
    # fixture.py: that day every article is the Ukraine/Russia headline, in both languages
    assert page.get_by_text("Ukraine and Russia hold a new round of grain corridor talks").count() >= 3
    assert page.get_by_text("L'Ukraine et la Russie reprennent des pourparlers techniques").count() >= 3
    assert query(page).get("day") == [SPIKE_DAY.isoformat()] and query(page).get("entity") == ["country:UA"]


def test_a_script_title_renders_as_text(server: Server, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{server.url}/?e=country:UA&entity=country:UA&day={SCRIPT_DAY.isoformat()}")
    wait_for_run(page)
    no_exception(tab)
    shown = page.get_by_text(SCRIPT_TITLE, exact=False)
    shown.first.wait_for(state="visible")
    assert page.locator("script", has_text='alert("x")').count() == 0
    page.wait_for_timeout(500)
    assert tab.dialogs == []


def test_a_script_title_renders_as_text_on_the_articles_page(server: Server, tab: Tab) -> None:
    articles = [s for s in page_files() if page_slug(s) == "articles"]
    if not articles:
        pytest.skip("no Articles page yet")
    page = tab.page
    page.goto(f"{server.url}/{page_path(articles[0])}?q=talks&period=30d")
    wait_for_run(page)
    no_exception(tab)
    page.get_by_text(SCRIPT_TITLE, exact=False).first.wait_for(state="visible")
    assert page.locator("script", has_text='alert("x")').count() == 0
    assert tab.dialogs == []


def write_feed_folder(root: Path) -> Path:
    """Two invented RSS snapshots of one outlet, dated in the last days (a backfill folder)."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    headlines = (
        "Ukraine and Poland reopen a border crossing for grain trucks",
        "Russia and China hold a joint naval exercise in the Pacific",
        "France sends a frigate to the Red Sea",
        "Germany and France agree on a tank programme timetable",
        "Ukraine receives more air defence systems from Germany",
    )
    folder = root / "invented_outlet" / "rss_world"
    folder.mkdir(parents=True)
    now = dt.datetime.now(dt.UTC)
    for n, day in enumerate((2, 1)):
        items = "".join(
            f"<item><title>{escape(t)}</title><link>https://news.invalid/{i}</link><guid>https://news.invalid/{i}</guid>"
            f"<description>Invented summary {i}.</description>"
            f"<pubDate>{format_datetime(now - dt.timedelta(days=day, hours=i))}</pubDate></item>"
            for i, t in enumerate(headlines[: 3 + 2 * n])
        )
        (folder / f"world_{n}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Invented World</title>'
            f"<link>https://news.invalid/</link><description>x</description><language>en</language>{items}"
            "</channel></rss>", encoding="utf-8")
    return root


def test_an_empty_archive_offers_a_backfill_that_fills_the_charts(tab: Tab, tmp_path: Path) -> None:
    from tests.browser.conftest import APP, streamlit_server

    if not APP.exists():
        pytest.skip("app.py is not written yet")
    folder = write_feed_folder(tmp_path / "feeds")
    with streamlit_server(tmp_path / "empty.sqlite", tmp_path / "streamlit.log") as server:
        page = tab.page
        page.goto(server.url)
        wait_for_run(page)
        no_exception(tab)
        expect(page.get_by_text("The archive is empty and background polling is off")).to_be_visible()
        page.get_by_label("Folder of archived feed files").fill(str(folder))
        page.get_by_label("Folder of archived feed files").press("Enter")
        wait_for_run(page, after_action=True)
        page.get_by_role("button", name="Import folder").click()
        # the import runs in the server's worker thread; the status line follows it, then the page reruns
        expect(page.get_by_text(re.compile(r"5 new articles from 2 files"))).to_be_visible(timeout=90_000)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"^Archive: 5 articles"))).to_be_visible()
        no_exception(tab)
