"""Measure every dashboard page against an archive in headless chromium, and time the queries.

    .venv/bin/python bench/bench_dashboard.py ARCHIVE.sqlite [--runs 3] [--pages trends,movers]

For each page and run:
  cold    a fresh `streamlit run app.py` process (empty caches) and a fresh browser context
          (empty HTTP cache): milliseconds from navigation start to rendered (below);
  warm    a second tab of that context (a new Streamlit session: warm st.cache_data, warm
          browser cache), as when a user comes back;
  filter  on the warm page, the sidebar Period changed to "Last 30 days" then to "Last year":
          milliseconds from the click on the option to the end of the rerun (both medians shown);
  RSS     the server's resident memory after the page's runs (VmRSS, and VmHWM = its peak), from
          /proc/<pid>/status (psutil is not installed in the venv).
A MutationObserver (an init script) records every change of Streamlit's script-run state
(`[data-testid=stApp][data-test-script-state]`) and the time of the last DOM change:
"rendered" is the run's end or the last DOM change after it, whichever is later, once the DOM
has been quiet for 400 ms. So the times are what a user waits for. A one-chart app with no
archive access is measured the same way first: the floor that Streamlit and chromium cost here.
Then AppTest gives the server-side script time alone (a fresh interpreter per run).

Then every loaders.queries function the pages use is timed in-process on the same archive
(cold connection, median of --runs), with the widest default arguments: that table says which
query to fix when a page misses its aim.

Aims: warm < 1 s, cold < 3 s, filter change < 300 ms, server < 1.5 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, page_files, streamlit_server  # noqa: E402

WATCH_JS = """
(() => {
  // Every change of Streamlit's script-run state, from a MutationObserver: a rerun shorter than
  // a sampling period cannot slip through (the record's oldValue keeps the "running" step).
  window.__st = [];
  window.__lastMut = performance.now();
  new MutationObserver((records) => {
    const now = performance.now();
    window.__lastMut = now;
    for (const m of records) {
      if (m.type !== 'attributes' || m.attributeName !== 'data-test-script-state') continue;
      if (m.oldValue === 'running') window.__st.push(['running', now]);
      window.__st.push([m.target.getAttribute('data-test-script-state'), now]);
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true,
                        attributeOldValue: true});
})();
"""
# Rendered = the run ended ("notRunning" after a "running" seen since `mark`), every Plotly chart
# has drawn, and the DOM has been quiet for QUIET_MS: Streamlit flips to notRunning before React
# has painted the last elements (sidebar widgets appear ~100-900 ms later on this machine), so
# the time reported is that of the last DOM change, not of the state flip.
QUIET_MS = 400
RUN_ENDED_JS = """(mark) => {
  let ran = false;
  for (const [s, t] of window.__st) {
    if (t >= mark && s === 'running') ran = true;
    if (ran && s === 'notRunning' && t >= mark) {
      const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
      for (const c of charts) if (!c.querySelector('.main-svg')) return false;
      if (performance.now() - window.__lastMut < QUIET_MS) return null;  // still painting
      return Math.max(t, window.__lastMut);
    }
  }
  return false;
}""".replace("QUIET_MS", str(QUIET_MS))
AIMS = {"cold": 3000, "warm": 1000, "filter": 300}


def slug(script: Path) -> str:
    if script.name == "floor_app.py":
        return "(floor)"
    return "trends" if script.name == "app.py" else re.sub(r"^\d+_", "", script.stem).lower()


def url_path(script: Path) -> str:
    return "" if script.name == "app.py" else re.sub(r"^\d+_", "", script.stem)


def rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


class Inflight:
    """HTTP requests of a page still in flight (the lazily loaded Plotly bundle, media...)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.n = 0
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, _request) -> None:  # type: ignore[no-untyped-def]
        self.n += 1

    def _end(self, _request) -> None:  # type: ignore[no-untyped-def]
        self.n -= 1


def wait_rendered(page, inflight: Inflight, mark: float, timeout_s: float = 120.0) -> float:  # type: ignore[no-untyped-def]
    """Page time (ms) at which the run that started after `mark` was fully painted."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(RUN_ENDED_JS, mark)
        if isinstance(value, int | float) and not isinstance(value, bool) and inflight.n <= 0:
            return float(value)
        page.wait_for_timeout(20)
    raise TimeoutError(f"{page.url} not rendered after {timeout_s:.0f} s")


def new_page(context):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page, Inflight(page)


def load(browser, url: str, context=None) -> tuple[Any, Any, float]:  # type: ignore[no-untyped-def]
    """Open `url` in a new tab (a new Streamlit session) of `context`, or of a fresh context
    (cold browser cache); the time to rendered from navigation start."""
    if context is None:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(WATCH_JS)
    page, inflight = new_page(context)
    page.goto(url, wait_until="commit")
    ended = wait_rendered(page, inflight, 0.0)
    page._sitroom_inflight = inflight
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        print(f"    ! exception on {url}: {exc.first.inner_text()[:300]}")
    return context, page, float(ended)


def change_period(page, option: str) -> float | None:  # type: ignore[no-untyped-def]
    box = page.get_by_role("combobox", name="Period")  # a react-aria combobox in Streamlit 1.67
    if not box.count():
        return None
    box.first.click()
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for(state="visible")
    mark = page.evaluate("performance.now()")
    item.click()
    return wait_rendered(page, page._sitroom_inflight, float(mark)) - float(mark)


# The floor: the same harness on a one-chart Streamlit app with no archive access. What a page
# costs above this is ours; the floor itself is Streamlit + chromium on this machine.
FLOOR_APP = """
import plotly.graph_objects as go
import streamlit as st
st.set_page_config(layout="wide")
period = st.sidebar.selectbox("Period", ["Last 90 days", "Last 30 days", "Last year"])
st.title("Floor")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(90)), y=[i % 7 for i in range(90)])))
"""


def bench_pages(archive: Path, scripts: list[Path], runs: int, logs: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    floor = logs / "floor_app.py"
    floor.write_text(FLOOR_APP)
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        for script in [floor, *scripts]:
            cold, warm, f30, f1y, rss, hwm = [], [], [], [], 0.0, 0.0
            for run in range(runs):
                app = floor if script == floor else ROOT / "app.py"
                with streamlit_server(archive, logs / f"{slug(script)}-{run}.log", app=app) as server:
                    url = f"{server.url}/{'' if script == floor else url_path(script)}"
                    ctx, first, t = load(browser, url)  # fresh server, fresh browser cache
                    cold.append(t)
                    first.close()
                    _ctx, page, t = load(browser, url, ctx)  # a second session, warm caches
                    warm.append(t)
                    if (t30 := change_period(page, "Last 30 days")) is not None:
                        f30.append(t30)
                    if (t1y := change_period(page, "Last year")) is not None:
                        f1y.append(t1y)
                    ctx.close()
                    r, h = rss_mb(server.proc.pid)
                    rss, hwm = max(rss, r), max(hwm, h)
            row = {"page": slug(script), "cold": cold, "warm": warm, "f30": f30, "f1y": f1y, "rss": rss, "hwm": hwm}
            rows.append(row)
            print(f"  {slug(script):<10} cold {_med(cold)}  warm {_med(warm)}  30d {_med(f30)}  1y {_med(f1y)}  "
                  f"RSS {rss:.0f} MB (peak {hwm:.0f})", flush=True)
        browser.close()
    return rows


def _med(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} ms" if values else "      -   "


# --- server-side script time (AppTest), one fresh process per run --------------------------

APPTEST_WORKER = """
import json, os, sys, time
sys.path.insert(0, sys.argv[3])
os.environ["SITROOM_DB"] = sys.argv[1]
os.environ["SITROOM_POLL_MINUTES"] = "0"
from streamlit.testing.v1 import AppTest
# pages/ scripts run through the entrypoint (their sidebar links resolve against app.py)
at = AppTest.from_file(os.path.join(sys.argv[3], "app.py"), default_timeout=300)
if not sys.argv[2].endswith("app.py"):
    at.switch_page(os.path.relpath(sys.argv[2], sys.argv[3]))
out = {}
t = time.perf_counter(); at.run(); out["cold"] = (time.perf_counter() - t) * 1000
warm = []
for _ in range(3):
    t = time.perf_counter(); at.run(); warm.append((time.perf_counter() - t) * 1000)
out["warm"] = sorted(warm)[1]
out["exception"] = [e.value for e in at.exception][:1]
for key, value in (("f30", "30d"), ("f1y", "1y")):
    try:
        box = at.selectbox(key="f_period")
    except KeyError:
        break
    t = time.perf_counter(); box.set_value(value).run(); out[key] = (time.perf_counter() - t) * 1000
print(json.dumps(out))
"""


def bench_apptest(archive: Path, scripts: list[Path], runs: int) -> list[dict[str, Any]]:
    """Script time on the server alone: AppTest in a fresh interpreter per run (cold = first run)."""
    import json
    import subprocess

    rows = []
    for script in scripts:
        got: dict[str, list[float]] = {"cold": [], "warm": [], "f30": [], "f1y": []}
        for _ in range(runs):
            proc = subprocess.run([sys.executable, "-c", APPTEST_WORKER, str(archive), str(script), str(ROOT)],
                                  capture_output=True, text=True, cwd=ROOT, timeout=600)
            line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
            result = json.loads(line)
            if result.get("exception"):
                print(f"    ! {slug(script)} raised under AppTest: {str(result['exception'])[:200]}")
            for key in got:
                if key in result:
                    got[key].append(float(result[key]))
        rows.append({"page": slug(script), **got})
        print(f"  {slug(script):<10} cold {_med(got['cold'])}  warm {_med(got['warm'])}  "
              f"30d {_med(got['f30'])}  1y {_med(got['f1y'])}", flush=True)
    return rows


def print_apptest_table(rows: list[dict[str, Any]], runs: int) -> None:
    print(f"\nserver-side script time (AppTest, fresh process per run), medians over {runs} runs (ms)")
    print("| page | cold (first run: imports + queries) | warm (cached) | period -> 30d | period -> 1y |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        cells = [f"{statistics.median(r[k]):.0f}" if r[k] else "-" for k in ("cold", "warm", "f30", "f1y")]
        print(f"| {r['page']} | {' | '.join(cells)} |")


def print_table(rows: list[dict[str, Any]], runs: int) -> None:
    print(f"\nmedians over {runs} runs (ms; server RSS in MB)")
    print("| page | cold | warm | period -> 30d | period -> 1y | RSS (peak) | misses |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        misses = []
        for key, aim in (("cold", AIMS["cold"]), ("warm", AIMS["warm"]), ("f30", AIMS["filter"]),
                         ("f1y", AIMS["filter"])):
            if r[key] and statistics.median(r[key]) > aim:
                misses.append(f"{key}>{aim}")
        if r["hwm"] > 1536:
            misses.append("rss>1.5GB")
        cells = [f"{statistics.median(r[k]):.0f}" if r[k] else "-" for k in ("cold", "warm", "f30", "f1y")]
        print(f"| {r['page']} | {' | '.join(cells)} | {r['rss']:.0f} ({r['hwm']:.0f}) | {', '.join(misses) or 'ok'} |")


# --- queries ------------------------------------------------------------------------------

def bench_queries(archive: Path, runs: int) -> None:
    from loaders import db, queries
    from ui import poller  # noqa: F401  (imported here so that streamlit's import is not timed)

    engine = db.make_engine(archive)
    summary = queries.read_archive_summary(engine)
    end = summary["last_day"] or dt.datetime.now(dt.UTC).date()
    assert isinstance(end, dt.date)
    with engine.connect() as conn:
        top = [r[0] for r in conn.exec_driver_sql(
            "SELECT entity_id FROM entity_daily WHERE day >= ? GROUP BY entity_id ORDER BY SUM(n_articles) DESC LIMIT 5",
            ((end - dt.timedelta(days=89)).isoformat(),)).all()]
        some_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM articles ORDER BY id DESC LIMIT 100").all()]
    entity = top[0] if top else "country:UA"
    print(f"\nqueries on {archive.name}: medians of {runs} cold-connection runs (top entity {entity})")
    print("| query | period | ms | rows |")
    print("| --- | --- | ---: | ---: |")
    results = []
    for label, days in (("90d", 90), ("1y", 365), ("all", 365 * 4)):
        start = end - dt.timedelta(days=days - 1)
        candidates: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
            "read_entity_totals": (queries.read_entity_totals, {"start": start, "end": end}),
            "read_entity_daily(top5)": (queries.read_entity_daily, {"entity_ids": top, "start": start, "end": end}),
            "read_article_daily": (queries.read_article_daily, {"start": start, "end": end}),
            "read_article_daily(by=language)": (queries.read_article_daily, {"start": start, "end": end, "by": "language"}),
            "read_article_daily(by=feed)": (queries.read_article_daily, {"start": start, "end": end, "by": "feed"}),
            "read_failed_days": (queries.read_failed_days, {"start": start, "end": end}),
            "read_total_read": (queries.read_total_read, {"start": start, "end": end}),
            "read_entity_breakdown": (queries.read_entity_breakdown, {"entity_id": entity, "start": start, "end": end}),
            "read_entity_articles": (queries.read_entity_articles, {"entity_id": entity, "start": start, "end": end}),
            "read_cooccurrence": (queries.read_cooccurrence, {"entity_id": entity, "start": start, "end": end}),
            "read_alias_hits": (queries.read_alias_hits, {"entity_id": entity, "start": start, "end": end}),
            "search_articles(q=Ukraine)": (queries.search_articles, {"match": "Ukraine", "start": start, "end": end}),
            "search_articles(entity)": (queries.search_articles, {"entity_id": entity, "start": start, "end": end}),
        }
        if label == "90d":
            candidates.update({
                "read_archive_summary": (queries.read_archive_summary, {}),
                "read_entities": (queries.read_entities, {}),
                "read_feed_options": (queries.read_feed_options, {}),
                "read_languages": (queries.read_languages, {}),
                "read_mention_spans(100)": (queries.read_mention_spans, {"article_ids": some_ids}),
                "read_feed_health": (queries.read_feed_health, {"today": end}),
                "queries.read_archive_health": (_archive_health, {}),
            })
        for name, (fn, kwargs) in candidates.items():
            times, n = [], 0
            try:
                for _ in range(runs):
                    engine.dispose()  # a cold connection: no statement cache, page cache of the OS only
                    t = time.perf_counter()
                    out = fn(engine, **_fit(fn, kwargs))
                    times.append((time.perf_counter() - t) * 1000)
                n = len(out) if hasattr(out, "__len__") else 1
            except Exception as exc:  # a query whose signature moved: say so, do not stop the bench
                print(f"| {name} | {label} | error: {type(exc).__name__}: {str(exc)[:80]} | |")
                continue
            results.append((statistics.median(times), name, label))
            print(f"| {name} | {label} | {statistics.median(times):.0f} | {n:,} |")
    print("\nslowest: " + ", ".join(f"{n} ({p}) {t:.0f} ms" for t, n, p in sorted(results, reverse=True)[:6]))


def _archive_health(engine):  # type: ignore[no-untyped-def]
    from loaders.queries import read_archive_health

    return [read_archive_health(engine)]


def _fit(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keep the keyword arguments `fn` takes (positional-or-keyword included)."""
    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if k in params}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="", help="comma-separated page slugs (default: every page)")
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium measurements")
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest script timings")
    parser.add_argument("--logs", type=Path, default=Path("/tmp/sitroom-bench-logs"))
    args = parser.parse_args()
    archive = args.archive.resolve()
    if not archive.exists():
        sys.exit(f"{archive}: no such archive (build one with bench/build_large_archive.py)")
    size = sum(p.stat().st_size for p in archive.parent.glob(archive.name + "*")) / 1e9
    print(f"archive {archive} ({size:.2f} GB), {os.cpu_count()} CPUs, runs={args.runs}")
    scripts = [s for s in page_files() if not args.pages or slug(s) in args.pages.split(",")]
    if not args.no_browser:
        args.logs.mkdir(parents=True, exist_ok=True)
        print("chromium: time to rendered (script run ended and every Plotly chart drawn)")
        rows = bench_pages(archive, scripts, args.runs, args.logs)
        print_table(rows, args.runs)
    if not args.no_apptest:
        print("\nAppTest: server-side script time")
        print_apptest_table(bench_apptest(archive, scripts, args.runs), args.runs)
    bench_queries(archive, args.runs)


if __name__ == "__main__":
    main()
