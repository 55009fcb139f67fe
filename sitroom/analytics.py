"""Pure computations behind the dashboard's charts: rates, resampling, spikes, movers, lift,
highlighting, and the full-text query sanitiser. Frames in, frames out; no I/O.

Input frames use the column names of `sitroom.columns`:
  counts  DAY (datetime64 midnight), ENTITY_ID, N_ARTICLES    articles mentioning each entity per day
  read    DAY, N_READ                                          articles read per day (the denominator)
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sitroom import columns as C

GRAIN_RULES = {"day": "D", "week": "W-MON", "month": "MS"}


def _day_index(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D", name=C.DAY)


def _bucket(days: pd.Series, grain: str) -> pd.Series:
    """Each day's bucket start: the day, the Monday of its week, or the first of its month."""
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if grain == "month":
        return days.dt.to_period("M").dt.to_timestamp()
    return days


def mentions_over_time(
    counts: pd.DataFrame,
    read: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    entity_ids: Iterable[str],
    grain: str = "day",
    per_1000: bool = True,
    rolling: int = 0,
) -> pd.DataFrame:
    """One row per (bucket, entity): N_ARTICLES, N_READ, PER_1000 and VALUE (what the chart plots).

    Days without mentions count as zero (a quiet day is data, not a gap). A week's or month's
    rate is its mentions over its articles read, not a mean of daily rates, so a day with few
    articles read does not weigh as much as a busy one. The rolling mean runs over buckets
    within each entity. Buckets that read no article have no rate (NaN), never a division by zero.
    """
    ids = list(dict.fromkeys(entity_ids))
    days = _day_index(start, end)
    read_daily = (
        read.groupby(C.DAY)[C.N_READ].sum().reindex(days, fill_value=0)
        if not read.empty else pd.Series(0, index=days, name=C.N_READ)
    )
    frames = []
    for entity_id in ids:
        sub = counts[counts[C.ENTITY_ID] == entity_id] if not counts.empty else counts
        n = (sub.groupby(C.DAY)[C.N_ARTICLES].sum().reindex(days, fill_value=0)
             if not sub.empty else pd.Series(0, index=days))
        frames.append(pd.DataFrame({
            C.DAY: days, C.ENTITY_ID: entity_id,
            C.N_ARTICLES: n.to_numpy(dtype="int64"), C.N_READ: read_daily.to_numpy(dtype="int64"),
        }))
    out_columns = [C.DAY, C.ENTITY_ID, C.N_ARTICLES, C.N_READ, C.PER_1000, C.VALUE]
    if not frames:
        return pd.DataFrame(columns=out_columns)
    daily = pd.concat(frames, ignore_index=True)
    daily[C.DAY] = _bucket(daily[C.DAY], grain)
    out = daily.groupby([C.ENTITY_ID, C.DAY], sort=False)[[C.N_ARTICLES, C.N_READ]].sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * out[C.N_ARTICLES] / out[C.N_READ].where(out[C.N_READ] > 0)
    out[C.PER_1000] = rate
    out[C.VALUE] = rate if per_1000 else out[C.N_ARTICLES].astype(float)
    if rolling and rolling > 1:
        out[C.VALUE] = out.groupby(C.ENTITY_ID, sort=False)[C.VALUE].transform(
            lambda s: s.rolling(rolling, min_periods=1).mean()
        )
    return out[out_columns]


def robust_spikes(
    values: pd.Series, *, window: int = 28, threshold: float = 3.5, min_count: float = 0, min_history: int = 7,
    poisson: bool = False,
) -> pd.Series:
    """True where a value stands out from the `window` values before it (robust z-score).

    z = (x - median) / scale over the trailing window, scale = MAD / 0.6745 (Iglewicz and
    Hoaglin's modified z-score; the window excludes the value itself, so a burst cannot hide
    itself). When the window is flat (MAD 0) the mean absolute deviation stands in, and on a
    completely flat history any rise counts. `poisson=True` (for article counts) floors the
    scale at sqrt(median + 1), the noise of a count: on a near-empty series, 3 articles on one
    day is chance, 19 is news. Needs `min_history` earlier values (a week of days): a shorter
    history makes every wobble look exceptional. `min_count` drops tiny values.
    """
    x = values.astype(float).to_numpy()
    flags = np.zeros(len(x), dtype=bool)
    for i in range(len(x)):
        history = x[max(0, i - window):i]
        history = history[~np.isnan(history)]
        if len(history) < min_history or np.isnan(x[i]) or x[i] < min_count:
            continue
        med = float(np.median(history))
        mad = float(np.median(np.abs(history - med)))
        scale = mad / 0.6745 if mad > 0 else 1.253314 * float(np.mean(np.abs(history - np.mean(history))))
        if poisson:
            scale = max(scale, float(np.sqrt(med + 1.0)))
        z = (x[i] - med) / scale if scale > 0 else (np.inf if x[i] > med else 0.0)
        flags[i] = z > threshold
    return pd.Series(flags, index=values.index)


def mark_spikes(series: pd.DataFrame, *, threshold: float = 3.5, min_articles: int = 3) -> pd.DataFrame:
    """`series` from `mentions_over_time` with a SPIKE column, per entity.

    A spike must stand out both in VALUE (what is plotted: the rate, so a busy news day alone
    is not a spike) and in N_ARTICLES with a Poisson floor (so a rare entity's single article
    is not one either), and count at least `min_articles` articles.
    """
    out = series.copy()
    out[C.SPIKE] = False
    for _entity_id, sub in out.groupby(C.ENTITY_ID, sort=False):
        flags = (robust_spikes(sub[C.VALUE], threshold=threshold)
                 & robust_spikes(sub[C.N_ARTICLES], threshold=threshold, poisson=True))
        out.loc[sub.index, C.SPIKE] = flags & (sub[C.N_ARTICLES] >= min_articles)
    out[C.SPIKE] = out[C.SPIKE].astype(bool)
    return out


def movers(
    current: pd.DataFrame, previous: pd.DataFrame, *, top: int = 10, read_now: int = 0, read_before: int = 0
) -> pd.DataFrame:
    """Top entities of each type in the current period, with their change against the previous one.

    `current` and `previous`: ENTITY_ID, ENTITY_TYPE, NAME, N_ARTICLES (totals per period).
    Returns the `top` entities per type by current count with N_BEFORE, CHANGE (difference),
    PCT_CHANGE (NaN for newcomers) and NEWCOMER (no mention at all in the previous period), and
    PER_1000 / PER_1000_BEFORE given the articles read in each period (NaN when 0): when the
    archive grew (new feeds), raw counts rise for everyone and only the rates compare.
    """
    cols = [C.ENTITY_TYPE, C.ENTITY_ID, C.NAME, C.N_ARTICLES, C.N_BEFORE, C.CHANGE, C.PCT_CHANGE, C.NEWCOMER,
            C.PER_1000, C.PER_1000_BEFORE]
    if current.empty:
        return pd.DataFrame(columns=cols)
    before = previous.set_index(C.ENTITY_ID)[C.N_ARTICLES] if not previous.empty else pd.Series(dtype="int64")
    out = current[[C.ENTITY_TYPE, C.ENTITY_ID, C.NAME, C.N_ARTICLES]].copy()
    out = out[out[C.N_ARTICLES] > 0]
    out[C.N_BEFORE] = out[C.ENTITY_ID].map(before).fillna(0).astype("int64")
    out[C.CHANGE] = out[C.N_ARTICLES] - out[C.N_BEFORE]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[C.PCT_CHANGE] = 100.0 * out[C.CHANGE] / out[C.N_BEFORE].where(out[C.N_BEFORE] > 0)
    out[C.NEWCOMER] = out[C.N_BEFORE] == 0
    out[C.PER_1000] = 1000.0 * out[C.N_ARTICLES] / read_now if read_now > 0 else np.nan
    out[C.PER_1000_BEFORE] = 1000.0 * out[C.N_BEFORE] / read_before if read_before > 0 else np.nan
    out = out.sort_values([C.ENTITY_TYPE, C.N_ARTICLES, C.ENTITY_ID], ascending=[True, False, True])
    return out.groupby(C.ENTITY_TYPE, sort=True).head(top).reset_index(drop=True)[cols]


def lift(
    co_counts: pd.DataFrame, *, n_target: int, totals: pd.DataFrame, n_total: int, min_support: int = 3
) -> pd.DataFrame:
    """Entities co-mentioned with a target, ranked by lift instead of raw count.

    co_counts: ENTITY_ID, N_ARTICLES = articles mentioning both the target and the entity.
    totals:    ENTITY_ID, N_ARTICLES = articles mentioning the entity at all (same period/filters).
    lift = P(both) / (P(target) P(entity)) = n_both * n_total / (n_target * n_entity): 1 means
    "as often as chance", so a big country mentioned everywhere does not top every list.
    Pairs seen in fewer than `min_support` articles are dropped (a single shared article would
    otherwise give a huge lift).
    """
    cols = [C.ENTITY_ID, C.N_BOTH, C.N_ARTICLES, C.LIFT]
    if co_counts.empty or n_target <= 0 or n_total <= 0:
        return pd.DataFrame(columns=cols)
    df = co_counts.rename(columns={C.N_ARTICLES: C.N_BOTH})
    df = df.merge(totals[[C.ENTITY_ID, C.N_ARTICLES]], on=C.ENTITY_ID, how="left")
    df = df[(df[C.N_BOTH] >= min_support) & (df[C.N_ARTICLES] > 0)].copy()
    df[C.LIFT] = df[C.N_BOTH] * float(n_total) / (float(n_target) * df[C.N_ARTICLES])
    return df.sort_values([C.LIFT, C.N_BOTH, C.ENTITY_ID], ascending=[False, False, True]).reset_index(drop=True)[cols]


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """HTML of `text` with each [start, end) span wrapped in <mark>; every piece is escaped.

    Spans are offsets into the unescaped text, so escaping happens piece by piece after
    cutting. Overlapping spans merge; out-of-range spans are clipped or dropped.
    """
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, pos = [], 0
    for start, end in merged:
        parts.append(html.escape(text[pos:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


_TERM_RE = re.compile(r"[\w][\w'’-]*\*?", re.UNICODE)


def fts_query(user_text: str, *, max_terms: int = 12) -> str:
    """An FTS5 MATCH expression from free text that can never be a syntax error.

    Every word becomes a quoted string ("a" "b" means both, in any order); a trailing * keeps
    its prefix-search meaning. Operators, quotes, parentheses and column filters the user
    typed are treated as text, so `NEAR(` or `"` cannot crash the query. '' when no word.
    """
    terms = []
    for raw in _TERM_RE.findall(user_text)[:max_terms]:
        prefix = raw.endswith("*")
        word = raw.rstrip("*").replace('"', '""')
        if word:
            terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)



def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching what an analyst types ("etats" = "États")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def search_entities(
    entities: pd.DataFrame, query: str, *, limit: int = 30, popularity: Mapping[str, int] | None = None
) -> list[str]:
    """Entity ids whose English or French name, alias or id matches `query`, best first.

    entities: ENTITY_ID, NAME, name_fr, ALIASES (tuple of str). Rank: exact name or alias,
    then prefix, then a word starting with it, then anywhere; ties go to the more mentioned
    entity (`popularity`: id -> count), then by name.
    """
    needle = fold(query)
    if not needle or entities.empty:
        return []
    pop = popularity or {}
    scored: list[tuple[int, int, str, str]] = []
    for entity_id, name, name_fr, aliases in entities[[C.ENTITY_ID, C.NAME, "name_fr", C.ALIASES]].itertuples(
            index=False):
        best = 9
        for candidate in (name, name_fr, *aliases, entity_id.split(":", 1)[-1]):
            folded = fold(str(candidate))
            if not folded:
                continue
            if folded == needle:
                best = 0
                break
            if folded.startswith(needle):
                best = min(best, 1)
            elif any(word.startswith(needle) for word in re.split(r"[\s\-'’]+", folded)):
                best = min(best, 2)
            elif needle in folded:
                best = min(best, 3)
        if best < 9:
            scored.append((best, -int(pop.get(entity_id, 0)), str(name), entity_id))
    scored.sort()
    return [entity_id for *_rest, entity_id in scored[:limit]]


def entity_label(name: str, entity_type: str) -> str:
    return f"{name} ({TYPE_LABELS.get(entity_type, entity_type)})"


TYPE_LABELS = {
    "country": "country", "company": "company", "weapon": "weapon system", "weapon_class": "weapon class",
    "organisation": "organisation", "person": "person",
}


def safe_href(url: str) -> str:
    """The URL escaped for an href attribute, or '' unless it is http(s) (no javascript: links)."""
    return html.escape(url, quote=True) if re.match(r"^https?://", url.strip(), re.IGNORECASE) else ""


def article_html(
    *, title: str, summary: str, url: str, source: str, when: str, language: str,
    title_spans: Iterable[tuple[int, int]] = (), summary_spans: Iterable[tuple[int, int]] = (),
    max_summary: int = 600,
) -> str:
    """One article as a self-contained HTML block (no blank line, so Markdown leaves it alone).

    Every piece of outlet text is escaped; mentions are wrapped in <mark>; the link is only
    made for http(s) URLs.
    """
    title_html = highlight(title, title_spans) or "(no title)"
    cut = summary[:max_summary]
    summary_html = highlight(cut, [(s, e) for s, e in summary_spans if s < len(cut)])
    if len(summary) > max_summary:
        summary_html += "…"
    href = safe_href(url)
    head = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{title_html}</a>' if href else title_html
    meta = " · ".join(html.escape(x) for x in (source, when, language) if x)
    block = (f'<div class="sitroom-article" style="margin-bottom:0.9em"><div><strong>{head}</strong></div>'
             f'<div style="opacity:0.7;font-size:0.85em">{meta}</div>'
             f"<div>{summary_html}</div></div>")
    return block.replace("\r", " ").replace("\n", " ")


def bucket_range(start: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The days of the chart bucket that starts on `start` (a day, a Monday week, a month)."""
    if grain == "week":
        monday = start - dt.timedelta(days=start.weekday())
        return monday, monday + dt.timedelta(days=6)
    if grain == "month":
        first = start.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return first, nxt - dt.timedelta(days=1)
    return start, start


def top_ids(totals: pd.DataFrame, n: int, types: Iterable[str] = ()) -> list[str]:
    """The `n` most mentioned entity ids in `totals` (ENTITY_ID, ENTITY_TYPE, N_ARTICLES)."""
    wanted = set(types)
    sub = totals[totals[C.ENTITY_TYPE].isin(wanted)] if wanted else totals
    return [str(x) for x in sub.sort_values([C.N_ARTICLES, C.ENTITY_ID], ascending=[False, True])[C.ENTITY_ID].head(n)]


def sparklines(counts: pd.DataFrame, *, start: dt.date, end: dt.date, entity_ids: Iterable[str],
               grain: str = "day") -> dict[str, list[int]]:
    """Per entity, its article counts per bucket from start to end (zeros included), oldest first."""
    series = mentions_over_time(counts, pd.DataFrame(columns=[C.DAY, C.N_READ]), start=start, end=end,
                                entity_ids=entity_ids, grain=grain, per_1000=False)
    return {str(k): [int(v) for v in sub[C.N_ARTICLES]] for k, sub in series.groupby(C.ENTITY_ID, sort=False)}


def map_values(totals: pd.DataFrame, n_read: int, *, per_1000: bool = True) -> pd.DataFrame:
    """Countries with an ISO3 code: ISO3, NAME, ENTITY_ID, N_ARTICLES, PER_1000, VALUE."""
    cols = [C.ISO3, C.NAME, C.ENTITY_ID, C.N_ARTICLES, C.PER_1000, C.VALUE]
    sub = totals[(totals[C.ENTITY_TYPE] == "country") & (totals[C.ISO3].fillna("") != "")].copy()
    if sub.empty:
        return pd.DataFrame(columns=cols)
    sub[C.PER_1000] = 1000.0 * sub[C.N_ARTICLES] / n_read if n_read > 0 else np.nan
    sub[C.VALUE] = sub[C.PER_1000] if per_1000 else sub[C.N_ARTICLES].astype(float)
    return sub.sort_values(C.N_ARTICLES, ascending=False).reset_index(drop=True)[cols]


def alias_table(aliases: Iterable[str], hits: pd.DataFrame) -> pd.DataFrame:
    """Every known alias of an entity with its hits in the period (0 when never matched), plus
    matched forms the alias list lacks (case variants). hits: ALIAS, MATCH_KIND, n_hits, N_ARTICLES."""
    by_alias: dict[str, list[int]] = {}
    kinds: dict[str, str] = {}
    for alias, kind, n_hits, n_articles in hits[[C.ALIAS, C.MATCH_KIND, "n_hits", C.N_ARTICLES]].itertuples(
            index=False):
        key = str(alias)
        acc = by_alias.setdefault(key, [0, 0])
        acc[0] += int(n_hits)
        acc[1] += int(n_articles)
        kinds.setdefault(key, str(kind))
    rows = []
    known = list(dict.fromkeys(str(a) for a in aliases))
    for alias in known + [a for a in by_alias if a not in known]:
        n_hits, n_articles = by_alias.get(alias, [0, 0])
        rows.append({C.ALIAS: alias, C.MATCH_KIND: kinds.get(alias, ""), "n_hits": n_hits, C.N_ARTICLES: n_articles})
    frame = pd.DataFrame(rows, columns=[C.ALIAS, C.MATCH_KIND, "n_hits", C.N_ARTICLES])
    return frame.sort_values(["n_hits", C.ALIAS], ascending=[False, True]).reset_index(drop=True)


OTHER_FEEDS = "other feeds"


def top_groups(read: pd.DataFrame, *, by: str, n: int = 10, other: str = OTHER_FEEDS) -> pd.DataFrame:
    """Keep the `n` largest groups of `read` (DAY, `by`, N_READ) and sum the rest per day as `other`.

    Rows come out largest group first, `other` last (the order a stacked chart draws them in):
    46 stacked feeds over a year cost ~1.6 s of browser time and no one can tell them apart.
    """
    if read.empty:
        return read.copy()
    totals = read.groupby(by, sort=False)[C.N_READ].sum()
    ranked = sorted(totals.index, key=lambda k: (-int(totals[k]), str(k)))
    if len(ranked) <= n:
        keep, rest = ranked, []
    else:
        keep, rest = ranked[:n], ranked[n:]
    out = read[read[by].isin(keep)]
    if rest:
        folded = read[read[by].isin(rest)].groupby(C.DAY, as_index=False)[C.N_READ].sum()
        folded[by] = other
        out = pd.concat([out, folded[[C.DAY, by, C.N_READ]]], ignore_index=True)
    rank = {k: i for i, k in enumerate([*keep, other])}
    out = out.assign(_rank=out[by].map(rank)).sort_values(["_rank", C.DAY], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def movers_display(table: pd.DataFrame) -> pd.DataFrame:
    """`movers` output with PCT_CHANGE and PER_1000_BEFORE as text for a table: "new" for a
    newcomer's change (there is nothing to divide by), "–" for a rate without articles read
    before. Streamlit prints a missing number as "None"; the CSV keeps the numbers."""
    out = table.copy()
    out[C.PCT_CHANGE] = [
        "new" if bool(new) else ("–" if pd.isna(pct) else f"{pct:+.0f}%")
        for pct, new in zip(table[C.PCT_CHANGE], table[C.NEWCOMER], strict=True)
    ]
    out[C.PER_1000_BEFORE] = ["–" if pd.isna(v) else f"{v:.1f}" for v in table[C.PER_1000_BEFORE]]
    return out
