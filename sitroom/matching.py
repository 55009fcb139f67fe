"""Find gazetteer entities in an article's title and summary: one Aho-Corasick pass per field.

`Matcher.from_gazetteer(g)` builds the automaton once (about a second for the full gazetteer);
`find_mentions(title, summary, lang)` is then pure and thread-safe. Steps, per field:

1. `textnorm.normalise` (both views and the offset map);
2. every automaton hit over the folded view whose both ends are Unicode word boundaries
   ("Mali" never inside "Somalie"; an alias ending in a digit also accepts an English plural
   "s": F-16s);
3. the alias's case policy, checked on the cased view (Turkey not turkey, US not us; short
   all-caps aliases are ignored in all-caps fields, where "US" may be the pronoun);
4. longest match wins among overlapping hits (Nigeria over Niger, "Storm Shadow" over
   "Storm"); stop phrases take part and then name nothing ("Patriot Act", "Persian Gulf");
5. context rules for ambiguous aliases, after both fields are known (so document-level
   evidence counts): vetoes, cues near the match, the same entity named unambiguously
   elsewhere in the article, capitalised mid-sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ahocorasick

from sitroom.gazetteer import Gazetteer, Rule
from sitroom.records import Mention
from sitroom.textnorm import Normalised, normalise, normalise_pattern

FIELDS = ("title", "summary")
_CASE_CODES = {"insensitive": 0, "capitalised": 1, "exact": 2}
_KIND_ORDER = {"name": 0, "official_name": 1, "code": 2, "alias": 3, "demonym": 4, "seat_of_power": 5, "capital": 6}
_SENTENCE_END = frozenset(".!?:;|\n")
# Names of these types are language-specific words ("Chine" is a ravine in English, "Poutine" a
# dish): an alias tagged en or fr is used only in articles of that language, when it is known.
# Companies and weapons keep their English names in French text; capitals and seats are places.
_LANG_STRICT_TYPES = frozenset({"country", "organisation", "person", "weapon_class"})
_LANG_FREE_KINDS = frozenset({"capital", "seat_of_power"})
_KNOWN_LANGS = frozenset({"en", "fr"})


@dataclass(frozen=True, slots=True)
class _Candidate:
    entity: int  # index into Matcher._entities
    case: int  # 0 insensitive, 1 capitalised, 2 exact
    cased: str  # the alias's cased normal form
    upper_at: tuple[int, ...]  # positions that must be upper-case (capitalised)
    short_caps: bool  # exact, all caps, <= 3 letters: ignored in all-caps fields
    kind: str
    rule: int  # index into Matcher._rules, -1 for none
    lang: str  # "en"/"fr": only in articles of that language (when known); "" everywhere


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    cues: re.Pattern[str] | None
    vetoes: re.Pattern[str] | None
    before: frozenset[str]
    cue_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class _EntityInfo:
    id: str
    type: str
    name: str
    iso2: str
    parent: int = -1  # index of the maker/parent entity, -1 for none


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for w in words:
        star = w.endswith("*")
        folded = normalise_pattern(w.rstrip("*"))[0]
        if not folded:
            continue
        parts.append(re.escape(folded) + (r"\w*" if star else ""))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


class Matcher:
    """An automaton over every alias of a gazetteer; `find_mentions` is the one entry point."""

    def __init__(
        self,
        entities: list[_EntityInfo],
        automaton: Any,
        payloads: list[tuple[tuple[_Candidate, ...], bool]],
        rules: list[_CompiledRule],
        version: str,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.gazetteer = gazetteer  # kept for storage (entities table); matching does not use it
        self._entities = entities
        self._automaton = automaton
        self._payloads = payloads  # (candidates, alias ends with a digit); () = stop phrase
        self._rules = rules
        self.version = version

    @classmethod
    def from_gazetteer(cls, gazetteer: Gazetteer) -> Matcher:
        rule_index: dict[str, int] = {}
        rules: list[_CompiledRule] = []
        for name, rule in sorted(gazetteer.rules.items()):
            rule_index[name] = len(rules)
            rules.append(_CompiledRule(
                rule, _word_regex(rule.cues), _word_regex(rule.vetoes),
                frozenset(normalise_pattern(w)[0] for w in rule.before), frozenset(rule.cue_types),
            ))

        entities: list[_EntityInfo] = []
        by_key: dict[str, list[_Candidate]] = {}
        index = {ent.id: i for i, ent in enumerate(gazetteer.entities)}
        for ent in gazetteer.entities:
            idx = len(entities)
            entities.append(_EntityInfo(ent.id, ent.type, ent.name_en, ent.iso2, index.get(ent.parent_id, -1)))
            for alias in ent.aliases:
                folded, cased = normalise_pattern(alias.text)
                if len(folded) < 2:
                    continue
                case = _CASE_CODES[alias.case]
                cand = _Candidate(
                    entity=idx,
                    case=case,
                    cased=cased,
                    upper_at=tuple(i for i, c in enumerate(cased) if c.isupper()),
                    short_caps=case == 2 and len(cased) <= 3 and cased.isupper(),
                    kind=alias.kind,
                    rule=rule_index[alias.rule] if alias.rule else -1,
                    lang=alias.lang
                    if alias.lang in _KNOWN_LANGS and ent.type in _LANG_STRICT_TYPES and alias.kind not in _LANG_FREE_KINDS
                    else "",
                )
                by_key.setdefault(folded, []).append(cand)

        stop_keys = {normalise_pattern(s)[0] for s in gazetteer.stops} - {""}
        automaton = ahocorasick.Automaton()
        payloads: list[tuple[tuple[_Candidate, ...], bool]] = []
        for key in sorted(set(by_key) | stop_keys):
            if key in stop_keys:
                cands: tuple[_Candidate, ...] = ()
            else:
                # Unconditional aliases first, then by kind: the first that passes names the entity.
                cands = tuple(
                    sorted(by_key[key], key=lambda c: (c.rule >= 0, _KIND_ORDER.get(c.kind, 9), -c.case))
                )
            automaton.add_word(key, (len(key), len(payloads)))
            payloads.append((cands, key[-1].isdigit()))
        automaton.make_automaton()
        return cls(entities, automaton, payloads, rules, gazetteer.version, gazetteer)

    @property
    def n_patterns(self) -> int:
        return len(self._payloads)

    def find_mentions(self, title: str, summary: str, lang: str | None = None) -> list[Mention]:
        """Every entity occurrence in `title` and `summary`, spans into those original strings."""
        fields = (title or "", summary or "")
        norms = [normalise(t) for t in fields]
        other_lang = {"en": "fr", "fr": "en"}.get(lang or "", "")
        accepted: list[tuple[int, int, int, _Candidate]] = []  # field, start, end (norm), candidate
        deferred: list[tuple[int, int, int, _Candidate]] = []
        direct: set[int] = set()
        for f, norm in enumerate(norms):
            for start, end, cands in self._spans(norm, other_lang):
                taken: set[int] = set()
                for c in cands:
                    if c.entity in taken:
                        continue
                    taken.add(c.entity)
                    if c.rule < 0:
                        accepted.append((f, start, end, c))
                        direct.add(c.entity)
                    else:
                        deferred.append((f, start, end, c))
        if deferred:
            types_named = {self._entities[i].type for i in direct}
            # Rounds: an entity accepted by its rule can be the list cue of another ("Captured
            # German Leopard & US Bradley": the Leopard's cue accepts it, then the Bradley).
            pending = deferred
            while pending:
                before_round = len(pending)
                pending, types_named = self._accept_round(pending, norms, lang, direct, types_named, accepted)
                if len(pending) == before_round:
                    break
        accepted.sort(key=lambda a: (a[0], a[1]))
        out = []
        for f, start, end, c in accepted:
            s, e = norms[f].original_span(start, end)
            info = self._entities[c.entity]
            out.append(
                Mention(
                    entity_id=info.id,
                    entity_type=info.type,
                    name=info.name,
                    iso2=info.iso2,
                    alias=fields[f][s:e],
                    start=s,
                    end=e,
                    field=FIELDS[f],
                    match_kind=c.kind,
                )
            )
        return out

    def _accept_round(
        self,
        pending: list[tuple[int, int, int, _Candidate]],
        norms: list[Normalised],
        lang: str | None,
        direct: set[int],
        types_named: set[str],
        accepted: list[tuple[int, int, int, _Candidate]],
    ) -> tuple[list[tuple[int, int, int, _Candidate]], set[str]]:
        """One round of context rules; returns what is still undecided and the types now named."""
        rest: list[tuple[int, int, int, _Candidate]] = []
        named = set(types_named)
        doc = ""
        for f, start, end, c in pending:
            crule = self._rules[c.rule]
            rule = crule.rule
            if lang and rule.langs and lang not in rule.langs:
                continue
            norm = norms[f]
            if rule.window:
                w = rule.window
                context = norm.folded[max(0, start - w) : start] + " " + norm.folded[end : end + w]
            else:
                if not doc:
                    doc = norms[0].folded + " | " + norms[1].folded
                context = doc
            if crule.vetoes is not None and crule.vetoes.search(context):
                continue
            if (
                rule.veto_only
                or (rule.doc_entity and c.entity in direct)
                or (crule.cue_types and not crule.cue_types.isdisjoint(types_named))
                or (crule.before and _word_before(norm.folded, start) in crule.before)
                or (crule.cues is not None and crule.cues.search(context))
                or (rule.mid_sentence_ok and not _sentence_initial(norm.cased, start))
            ):
                accepted.append((f, start, end, c))
                named.add(self._entities[c.entity].type)
            else:
                rest.append((f, start, end, c))
        return rest, named

    def _spans(self, norm: Normalised, other_lang: str = "") -> list[tuple[int, int, tuple[_Candidate, ...]]]:
        """Boundary- and case-checked hits, longest first among overlaps; stop phrases removed."""
        folded = norm.folded
        cased = norm.cased
        n = len(folded)
        payloads = self._payloads
        hits: list[tuple[int, int, tuple[_Candidate, ...]]] = []
        shouting: bool | None = None
        for last, (length, pid) in self._automaton.iter(folded):
            start = last - length + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            end = last + 1
            cands, digit_final = payloads[pid]
            alias_end = end
            if folded[end - 1] == "-":
                # A combining form ("franco-", "sino-", "russo-"): only glued to the next word,
                # as in "franco-allemand", "Sino-US", "russo-ukrainienne".
                if not (end < n and folded[end].isalpha()):
                    continue
            elif end < n and folded[end].isalnum():
                if not digit_final:
                    continue
                if folded[end] == "s" and (end + 1 == n or not folded[end + 1].isalnum()):
                    pass  # "F-16s": an alias ending in a digit takes an English plural
                else:
                    # "F-16V", "B-52H", "T-72B3": variant letters glued to a weapon designator.
                    j = end
                    while j < n and j - end < 2 and "A" <= cased[j] <= "Z":
                        j += 1
                    if j < n and j > end and folded[j].isdigit():
                        j += 1
                    if j == end or (j < n and folded[j].isalnum()) or not any(
                        self._entities[c.entity].type == "weapon" for c in cands
                    ):
                        continue
                    end = j
            # "SR5.43 billion": an alias ending in a digit does not end inside a decimal number.
            if digit_final and end + 1 < n and folded[end] in ".," and folded[end + 1].isdigit():
                continue
            if not cands:
                hits.append((start, end, cands))
                continue
            ok: list[_Candidate] = []
            for c in cands:
                if other_lang and c.lang == other_lang:
                    continue
                if c.case == 1:
                    ua = c.upper_at
                    if len(ua) == 1:
                        if not cased[start + ua[0]].isupper():
                            continue
                    elif not all(cased[start + i].isupper() for i in ua):
                        continue
                elif c.case == 2:
                    if cased[start:alias_end] != c.cased:
                        continue
                    if c.short_caps:
                        if shouting is None:
                            shouting = _is_shouting(cased)
                        if shouting:
                            continue
                ok.append(c)
            if ok:
                hits.append((start, end, tuple(ok)))
        if len(hits) <= 1:
            return [h for h in hits if h[2]]
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        kept: list[tuple[int, int, tuple[_Candidate, ...]]] = []
        nested: list[tuple[int, int, tuple[_Candidate, ...]]] = []
        entities = self._entities
        for h in hits:
            hs, he = h[0], h[1]
            inside = None
            for k in kept:
                if not (he <= k[0] or hs >= k[1]):
                    inside = k
                    break
            if inside is None:
                kept.append(h)
            elif inside[0] <= hs and he <= inside[1] and inside[2]:
                # "Sukhoi-34": a hit inside a weapon's name that names the weapon's maker counts too.
                parents = {entities[c.entity].parent for c in inside[2]}
                makers = tuple(c for c in h[2] if c.entity in parents)
                if makers:
                    nested.append((hs, he, makers))
        return [h for h in kept if h[2]] + nested


_DELETE_ASCII_LOWER = {c: None for c in range(ord("a"), ord("z") + 1)}


def _is_shouting(cased: str) -> bool:
    """An all-caps field ("US TROOPS ENTER ..."): short upper-case codes are unreliable there."""
    # Fast exit (C-level): ordinary text has far more lower-case letters than 20 % of its length.
    if len(cased) - len(cased.translate(_DELETE_ASCII_LOWER)) > 0.2 * len(cased):
        return False
    n_letters = sum(map(str.isalpha, cased))
    if n_letters < 12:
        return False
    return sum(map(str.isupper, cased)) >= 0.8 * n_letters


def _word_before(folded: str, start: int) -> str:
    """The word just before `start` ("in" in "in Jordan"; "l" in "l'Iran")."""
    i = start - 1
    while i >= 0 and not folded[i].isalnum():
        i -= 1
    j = i
    while j >= 0 and folded[j].isalnum():
        j -= 1
    return folded[j + 1 : i + 1]


def _sentence_initial(cased: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and cased[i] in " '(-":
        i -= 1
    return i < 0 or cased[i] in _SENTENCE_END
