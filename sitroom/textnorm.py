"""Text normalisation for entity matching, applied identically to article text and to aliases.

`normalise(text)` returns a `Normalised` with two views of equal length and a map back to
offsets in the original string:

- `cased`: NFKC, one apostrophe ('), one dash (-), one space (quotes, no-break spaces and
  line breaks become spaces, runs of spaces collapse to one), accents removed (Etats-Unis =
  États-Unis), Cyrillic look-alike letters inside Latin or digit-bearing words mapped to Latin
  (`ZALA 421-16Е` with a Cyrillic Е). Case is kept, so case policies can be checked on it.
- `folded`: `cased` lower-cased character by character (length-preserving), what the
  Aho-Corasick automaton runs over.

Every step is one character to one character except NFKC expansions, dropped combining marks
and collapsed spaces; the map from normalised to original offsets is kept piecewise (one
breakpoint per length change), so the common case (already NFKC, few double spaces) costs two
`str.translate` calls and no Python loop over characters.

French elision needs no special step: the apostrophe is not a word character, so in
`d'Ukraine` the word after it starts a match, and patterns never contain the elided article.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

APOSTROPHES = "'’‘ʼ`´ʹ′‛"
DASHES = "-‐‑‒–—―−⁃﹘﹣－"
# Quotes and guillemets become spaces (then collapse): «Kupol» -> Kupol, JSC "Kupol" -> JSC Kupol.
QUOTES = '"«»“”„‟‹›「」『』'
SPACES = "\t\n\r\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

# Cyrillic letters that look like Latin ones (upper and lower case).
CYRILLIC_LOOKALIKES = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԛ": "q", "ԝ": "w", "һ": "h",
}
_CYRILLIC_RE = re.compile("[\u0400-\u04ff\u0500-\u052f]")
# A word (letters, digits, hyphens) that contains a Cyrillic look-alike and a Latin letter or digit.
_WORD_RE = re.compile(r"[\w-]+")
_LATIN_OR_DIGIT_RE = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
_MULTISPACE_RE = re.compile(" {2,}")
# Combining marks that NFKC leaves alone (no precomposed letter): dropped on the slow path.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _strip_accent(ch: str) -> str:
    """The base letter of `ch` when it decomposes to one letter plus combining marks."""
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return ch


def _cased_char(ch: str) -> str:
    """The cased-view form of one character, or "" when it needs the slow path (expansion)."""
    if ch in APOSTROPHES:
        return "'"
    if ch in DASHES:
        return "-"
    if ch in QUOTES or ch in SPACES:
        return " "
    if ch == "…":
        return "."  # NFKC makes it '...': one '.' is as good for matching and keeps offsets 1:1
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) != 1:
        return ""
    if norm != ch:
        return _cased_char(norm) or norm
    extra = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"}
    return extra.get(ch) or _strip_accent(ch)


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    """One-to-one tables for `str.translate`: every NFKC change that keeps the length, the
    apostrophes, dashes, quotes and spaces, accents; and the length-preserving lower-casing."""
    cased: dict[int, str] = {}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000 or 0x4E00 <= cp < 0xA000 or 0xAC00 <= cp < 0xD7A4:
            continue  # surrogates, CJK ideographs, Hangul syllables: NFKC-stable, nothing to fold
        ch = chr(cp)
        if unicodedata.combining(ch):
            continue
        out = _cased_char(ch)
        if out and out != ch:
            cased[cp] = out
    for ch in APOSTROPHES + DASHES + QUOTES + SPACES:
        cased[ord(ch)] = _cased_char(ch)
    folded: dict[int, str] = {}
    for cp in list(range(0x20, 0x250)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x2200)):
        ch = chr(cp)
        base = cased.get(cp, ch)
        low = base.lower()
        if len(low) != 1:  # 'İ'.lower() is two characters: keep the fold length-preserving
            low = base
        if low != ch:
            folded[cp] = low
    return cased, folded


CASED_TABLE, FOLD_TABLE = _build_tables()


def _map_lookalikes(match: re.Match[str]) -> str:
    word = match.group(0)
    if not _LATIN_OR_DIGIT_RE.search(word):
        return word
    return "".join(CYRILLIC_LOOKALIKES.get(c, c) for c in word)


@dataclass(frozen=True, slots=True)
class Normalised:
    """The two normalised views of a text and the map back to the original offsets."""

    folded: str
    cased: str
    # Piecewise map: normalised offset `starts[k] + d` comes from original offset `origs[k] + d`
    # for 0 <= d < next start - starts[k]; `widths[k]` > 1 marks one original char spread over
    # several normalised chars (NFKC expansion), `widths[k]` = 0 a 1:1 segment.
    starts: tuple[int, ...]
    origs: tuple[int, ...]
    expand: tuple[int, ...]  # original length of each segment when it is an expansion, else 0
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the normalised span [start, end)."""
        return self._orig_start(start), self._orig_end(end - 1)

    def _orig_start(self, i: int) -> int:
        k = bisect_right(self.starts, i) - 1
        if self.expand[k]:
            return self.origs[k]
        return self.origs[k] + (i - self.starts[k])

    def _orig_end(self, i: int) -> int:
        k = bisect_right(self.starts, i) - 1
        if self.expand[k]:
            return self.origs[k] + self.expand[k]
        return self.origs[k] + (i - self.starts[k]) + 1


def _slow_pieces(text: str) -> tuple[str, list[int], list[int], list[int]]:
    """Per-character NFKC with dropped combining marks: text, starts, origs, expand."""
    out: list[str] = []
    starts: list[int] = []
    origs: list[int] = []
    expand: list[int] = []
    pos = 0
    run_open = False
    for i, ch in enumerate(text):
        if unicodedata.combining(ch):
            run_open = False
            continue  # an accent: dropped (the base letter before it stays)
        norm = unicodedata.normalize("NFKC", ch)
        if len(norm) == 1:
            if not run_open:
                starts.append(pos)
                origs.append(i)
                expand.append(0)
                run_open = True
            out.append(norm)
            pos += 1
        else:
            run_open = False
            if not norm:
                continue
            starts.append(pos)
            origs.append(i)
            expand.append(1)
            out.append(norm)
            pos += len(norm)
    return "".join(out), starts, origs, expand


def normalise(text: str) -> Normalised:
    """Both normalised views of `text` and the offset map (see the module docstring)."""
    # The table does every one-to-one step (most of NFKC included); what is left for the slow
    # path is rare: expansions (ligatures, fractions) and combining marks.
    cased = text.translate(CASED_TABLE)
    starts, origs, expand = [0], [0], [0]
    if not cased.isascii() and (_COMBINING_RE.search(cased) or not unicodedata.is_normalized("NFKC", cased)):
        base, starts, origs, expand = _slow_pieces(cased)
        cased = base.translate(CASED_TABLE)
        if not starts:
            starts, origs, expand = [0], [len(text)], [0]
    if _CYRILLIC_RE.search(cased):
        cased = _WORD_RE.sub(_map_lookalikes, cased)
    if "  " in cased:
        cased, starts, origs, expand = _collapse_spaces(cased, starts, origs, expand)
    folded = cased.translate(FOLD_TABLE)
    return Normalised(folded, cased, tuple(starts), tuple(origs), tuple(expand), len(text))


def _collapse_spaces(
    text: str, starts: list[int], origs: list[int], expand: list[int]
) -> tuple[str, list[int], list[int], list[int]]:
    """Collapse runs of spaces to one, composing the offset map."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_origs: list[int] = []
    new_expand: list[int] = []
    proto = Normalised("", "", tuple(starts), tuple(origs), tuple(expand), 0)
    kept_from = 0  # normalised position (before collapsing) where the current kept piece starts
    out_pos = 0

    def keep(a: int, b: int) -> None:
        nonlocal out_pos
        if a >= b:
            return
        pieces.append(text[a:b])
        # Segments of the old map that intersect [a, b).
        k = bisect_right(starts, a) - 1
        i = a
        while i < b:
            seg_end = starts[k + 1] if k + 1 < len(starts) else len(text)
            j = min(seg_end, b)
            new_starts.append(out_pos + (i - a))
            if expand[k]:
                new_origs.append(origs[k])
                new_expand.append(expand[k])
            else:
                new_origs.append(proto._orig_start(i))
                new_expand.append(0)
            i = j
            k += 1
        out_pos += b - a

    for m in _MULTISPACE_RE.finditer(text):
        keep(kept_from, m.start() + 1)  # keep one space of the run
        kept_from = m.end()
    keep(kept_from, len(text))
    if not new_starts:
        return "", [0], [0], [0]
    return "".join(pieces), new_starts, new_origs, new_expand


@lru_cache(maxsize=65536)
def normalise_pattern(alias: str) -> tuple[str, str]:
    """(folded, cased) forms of an alias, trimmed: patterns are normalised like texts."""
    n = normalise(alias)
    return n.folded.strip(), n.cased.strip()


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
