"""The normaliser: both views, one apostrophe/dash/space, accents, homoglyphs, offset map."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sitroom.textnorm import normalise, normalise_pattern


def words_back(text: str) -> list[tuple[str, str]]:
    """(normalised word, original text it maps back to) for every word of the folded view."""
    n = normalise(text)
    out = []
    for m in re.finditer(r"\w+", n.folded):
        s, e = n.original_span(m.start(), m.end())
        out.append((m.group(), text[s:e]))
    return out


def test_ascii_text_is_only_lowercased() -> None:
    n = normalise("Kyiv asks NATO for F-16s")
    assert n.cased == "Kyiv asks NATO for F-16s"
    assert n.folded == "kyiv asks nato for f-16s"
    assert n.original_span(0, 4) == (0, 4)


def test_elision_with_typographic_apostrophe_keeps_the_word_separate() -> None:
    text = "l’Iran, d'Ukraine, qu\u02bcIsraël, jusqu`à"
    n = normalise(text)
    assert n.folded == "l'iran, d'ukraine, qu'israel, jusqu'a"
    assert ("iran", "Iran") in words_back(text)
    assert ("israel", "Israël") in words_back(text)


def test_dashes_become_one_hyphen() -> None:
    for dash in "‐‑‒–—―−":
        assert normalise(f"Shahed{dash}136").folded == "shahed-136"


def test_accents_are_optional_and_offsets_point_at_the_accented_text() -> None:
    assert normalise("Etats-Unis").folded == normalise("États-Unis").folded == "etats-unis"
    assert ("pekin", "Pékin") in words_back("à Pékin")


def test_combining_accents_are_dropped_with_offsets_kept() -> None:
    text = "Pe\u0301kin et Moscou"  # 'é' written as e + combining acute
    n = normalise(text)
    assert n.folded == "pekin et moscou"
    assert words_back(text)[0] == ("pekin", "Pe\u0301kin")
    s, e = n.original_span(n.folded.index("moscou"), len(n.folded))
    assert text[s:e] == "Moscou"


def test_cyrillic_lookalikes_inside_latin_or_digit_words_become_latin() -> None:
    text = "ZALA 421-16\u0415 et \u0421-400 mais Москва"  # Cyrillic Е, С
    n = normalise(text)
    assert "421-16e" in n.folded
    assert "c-400" in n.folded
    assert "москва" in n.folded  # a Russian word stays Russian


def test_quotes_and_no_break_spaces_collapse_with_the_map_kept() -> None:
    text = "IEMZ\u00a0«\u00a0Kupol\u00a0» et JSC \"Kupol\""
    n = normalise(text)
    assert n.folded == "iemz kupol et jsc kupol "
    for word, original in words_back(text):
        assert normalise(original).folded == word


def test_nfkc_expansions_map_back_to_the_whole_original_character() -> None:
    text = "la ﬁn du conflit en Ukraine"  # 'ﬁ' ligature: one character, two normalised
    n = normalise(text)
    assert n.folded == "la fin du conflit en ukraine"
    assert ("fin", "ﬁn") in words_back(text)
    i = n.folded.index("ukraine")
    s, e = n.original_span(i, i + 7)
    assert text[s:e] == "Ukraine"


def test_fullwidth_and_superscripts_fold_like_their_ascii_forms() -> None:
    assert normalise("ＵＳＡ").folded == "usa"
    assert normalise("ＵＳＡ").cased == "USA"


def test_patterns_are_normalised_like_texts() -> None:
    assert normalise_pattern("  Maison\u2011Blanche ") == ("maison-blanche", "Maison-Blanche")
    assert normalise_pattern("N’Djaména") == ("n'djamena", "N'Djamena")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_offset_map_is_monotonic_and_in_bounds(text: str) -> None:
    n = normalise(text)
    assert len(n.folded) == len(n.cased)
    last_start = 0
    for i in range(len(n.folded)):
        s, e = n.original_span(i, i + 1)
        assert 0 <= s < e <= len(text)
        assert s >= last_start  # the map never goes backwards
        last_start = s
    if n.folded:
        s, e = n.original_span(0, len(n.folded))
        assert s <= e


@given(st.text(alphabet=st.sampled_from("abcdefghij ÉéàçŒœ’-–«»\u00a0 "), max_size=40))
def test_every_normalised_word_maps_back_to_text_that_normalises_to_it(text: str) -> None:
    for word, original in words_back(text):
        assert word in normalise(original).folded
