"""Measure every dashboard page against an archive in headless chromium, and time the queries.

    .venv/bin/python bench/bench_dashboard.py ARCHIVE.sqlite [--runs 3] [--pages trends,movers]

For each page and run:
  cold    a fresh `streamlit run app.py` process (empty caches), a fresh browser context, the page
          opened: milliseconds from navigation start until the script run ended ("notRunning") and
          every Plotly chart on the page has drawn its SVG;
  warm    a second fresh browser context on the same server (a new session, warm st.cache_data);
  filter  on the warm page, the sidebar Period changed to "Last 30 days" then to "Last year":
          milliseconds from the click on the option to the end of the rerun (both medians shown);
  RSS     the server's resident memory after the page's runs (VmRSS, and VmHWM = its peak), from
          /proc/<pid>/status (psutil is not installed in the venv).
The script-run state is sampled in the page every 5 ms (an init script that watches
`[data-testid=stApp][data-test-script-state]`), so the times are what a user waits for, not
AppTest's script time.

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
  window.__st = [];
  let last = null;
  setInterval(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const s = app ? app.getAttribute('data-test-script-state') : null;
    if (s !== last) { window.__st.push([s, performance.now()]); last = s; }
  }, 5);
})();
"""
RUN_ENDED_JS = """(mark) => {
  let ran = false;
  for (const [s, t] of window.__st) {
    if (t >= mark && s === 'running') ran = true;
    if (ran && s === 'notRunning' && t >= mark) {
      const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
      for (const c of charts) if (!c.querySelector('.main-svg')) return false;
      return performance.now();
    }
  }
  return false;
}"""
AIMS = {"cold": 3000, "warm": 1000, "filter": 300}


def slug(script: Path) -> str:
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


def load(browser, url: str) -> tuple[Any, Any, float]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_JS)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url, wait_until="commit")
    ended = page.wait_for_function(RUN_ENDED_JS, arg=0, polling=10).json_value()
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        print(f"    ! exception on {url}: {exc.first.inner_text()[:300]}")
    return context, page, float(ended)


def change_period(page, option: str) -> float | None:  # type: ignore[no-untyped-def]
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text="Period"))
    if not box.count():
        return None
    box.first.locator('[data-baseweb="select"]').click()
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for(state="visible")
    mark = page.evaluate("performance.now()")
    item.click()
    ended = page.wait_for_function(RUN_ENDED_JS, arg=mark, polling=10).json_value()
    return float(ended) - float(mark)


def bench_pages(archive: Path, scripts: list[Path], runs: int, logs: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        for script in scripts:
            cold, warm, f30, f1y, rss, hwm = [], [], [], [], 0.0, 0.0
            for run in range(runs):
                with streamlit_server(archive, logs / f"{slug(script)}-{run}.log") as server:
                    url = f"{server.url}/{url_path(script)}"
                    ctx, _page, t = load(browser, url)
                    cold.append(t)
                    ctx.close()
                    ctx, page, t = load(browser, url)
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
                "ui.poller.read_archive_health": (_archive_health, {}),
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
    from ui.poller import read_archive_health

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
    parser.add_argument("--no-browser", action="store_true", help="only time the queries")
    parser.add_argument("--logs", type=Path, default=Path("/tmp/sitroom-bench-logs"))
    args = parser.parse_args()
    archive = args.archive.resolve()
    if not archive.exists():
        sys.exit(f"{archive}: no such archive (build one with bench/build_large_archive.py)")
    size = sum(p.stat().st_size for p in archive.parent.glob(archive.name + "*")) / 1e9
    print(f"archive {archive} ({size:.2f} GB), {os.cpu_count()} CPUs, runs={args.runs}")
    if not args.no_browser:
        scripts = [s for s in page_files() if not args.pages or slug(s) in args.pages.split(",")]
        args.logs.mkdir(parents=True, exist_ok=True)
        rows = bench_pages(archive, scripts, args.runs, args.logs)
        print_table(rows, args.runs)
    bench_queries(archive, args.runs)


if __name__ == "__main__":
    main()
