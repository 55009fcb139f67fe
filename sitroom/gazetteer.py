"""The gazetteer as records: entities, their aliases, the context rules and the stop phrases.

Pure: `loaders.gazetteer_files` reads the files in `data/gazetteer/` and the analyst's user
file and builds a `Gazetteer` with `gazetteer_from_records`; the matcher only sees records.

Entity ids: `country:<ISO2>`, `company:<slug>`, `weapon:<slug>`, `weapon_class:<slug>`,
`org:<slug>`, `person:<slug>`; slug = ASCII lower-case of the canonical English name with every
run of other characters turned into one '-' (`slugify`).

Alias fields:
- `kind`: name, official_name, demonym, capital, seat_of_power, code, alias. Charts can leave
  out capitals and seats of power (`article_entities.via_seat_only`).
- `case`: `insensitive` (after accent folding), `capitalised` (the match starts with an
  upper-case letter: Turkey, not turkey; all-caps headlines still match) or `exact` (US, SCALP).
- `rule`: name of a context `Rule` that must accept the occurrence (ambiguous names), or "".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ENTITY_TYPES = ("country", "company", "weapon", "weapon_class", "organisation", "person")
ID_PREFIX = {
    "country": "country",
    "company": "company",
    "weapon": "weapon",
    "weapon_class": "weapon_class",
    "organisation": "org",
    "person": "person",
}
ALIAS_KINDS = ("name", "official_name", "demonym", "capital", "seat_of_power", "code", "alias")
SEAT_KINDS = frozenset({"capital", "seat_of_power"})
CASE_POLICIES = ("insensitive", "capitalised", "exact")


def slugify(name: str) -> str:
    """`Sichuan AEE` -> `sichuan-aee`, `Garpiya-3` -> `garpiya-3`, `Élysée` -> `elysee`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def entity_id(entity_type: str, name_or_iso2: str) -> str:
    """The id of an entity: `country:FR` from ("country", "fr"), `org:nato` from ("organisation", "NATO")."""
    if entity_type == "country":
        return f"country:{name_or_iso2.upper()}"
    return f"{ID_PREFIX[entity_type]}:{slugify(name_or_iso2)}"


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    lang: str = ""  # en, fr, native, "" for any
    kind: str = "alias"
    case: str = "insensitive"
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name_en: str
    name_fr: str = ""
    iso2: str = ""  # countries only
    iso3: str = ""
    country_iso2: str = ""  # home/origin country of a company, weapon, person, organisation seat
    parent_id: str = ""  # parent company (companies), maker company (weapons)
    weapon_class: str = ""  # weapon_class:<slug> for weapons
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """When an ambiguous alias counts: the watchlist's suggested rules, as data.

    An occurrence is dropped when a veto is near it; otherwise accepted when a cue is near it,
    when the word right before it is one of `before` ("in Jordan", "au Tchad"), when its entity
    is named by an unambiguous alias elsewhere in the article (`doc_entity`), when an entity of
    one of `cue_types` is named unambiguously in the article (a weapon in a list of weapons),
    or, for `mid_sentence_ok`, when it is capitalised but does not start a sentence.
    Cues and vetoes are words or phrases (normalised like the text); a trailing `*` matches
    any word ending. `window` is in characters either side; 0 means the whole article.
    `veto_only` rules accept every occurrence that no veto is near (Washington, Paris, Turkey:
    the case policy already did the main work). `langs` restricts the alias to articles in
    those languages (when the language is known).
    """

    name: str
    cues: tuple[str, ...] = ()
    vetoes: tuple[str, ...] = ()
    window: int = 80
    doc_entity: bool = True
    mid_sentence_ok: bool = False
    langs: tuple[str, ...] = ()
    veto_only: bool = False
    before: tuple[str, ...] = ()
    cue_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entities: tuple[Entity, ...]
    rules: Mapping[str, Rule] = field(default_factory=dict)
    stops: tuple[str, ...] = ()  # phrases that win by length and name nothing: "Patriot Act"
    version: str = ""

    def by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}


def alias_from_record(rec: Mapping[str, object]) -> Alias:
    kind = str(rec.get("kind") or "alias")
    case = str(rec.get("case") or "insensitive")
    if kind not in ALIAS_KINDS:
        raise ValueError(f"alias {rec.get('text')!r}: unknown kind {kind!r} (one of {', '.join(ALIAS_KINDS)})")
    if case not in CASE_POLICIES:
        raise ValueError(f"alias {rec.get('text')!r}: unknown case policy {case!r} (one of {', '.join(CASE_POLICIES)})")
    return Alias(
        text=str(rec["text"]),
        lang=str(rec.get("lang") or ""),
        kind=kind,
        case=case,
        rule=str(rec.get("rule") or ""),
    )


def entity_from_record(rec: Mapping[str, object]) -> Entity:
    etype = str(rec["type"])
    if etype not in ENTITY_TYPES:
        raise ValueError(f"entity {rec.get('id')!r}: unknown type {etype!r} (one of {', '.join(ENTITY_TYPES)})")
    raw_aliases = rec.get("aliases") or []
    assert isinstance(raw_aliases, list)
    return Entity(
        id=str(rec["id"]),
        type=etype,
        name_en=str(rec.get("name_en") or ""),
        name_fr=str(rec.get("name_fr") or ""),
        iso2=str(rec.get("iso2") or ""),
        iso3=str(rec.get("iso3") or ""),
        country_iso2=str(rec.get("country_iso2") or ""),
        parent_id=str(rec.get("parent_id") or ""),
        weapon_class=str(rec.get("weapon_class") or ""),
        aliases=tuple(alias_from_record(a) for a in raw_aliases),
    )


def rule_from_record(rec: Mapping[str, object]) -> Rule:
    def strings(key: str) -> tuple[str, ...]:
        value = rec.get(key) or []
        assert isinstance(value, list | tuple)
        return tuple(str(v) for v in value)

    window = rec.get("window", 80)
    return Rule(
        name=str(rec["name"]),
        cues=strings("cues"),
        vetoes=strings("vetoes"),
        window=int(window) if isinstance(window, int | str) else 80,
        doc_entity=bool(rec.get("doc_entity", True)),
        mid_sentence_ok=bool(rec.get("mid_sentence_ok", False)),
        langs=strings("langs"),
        veto_only=bool(rec.get("veto_only", False)),
        before=strings("before"),
        cue_types=strings("cue_types"),
    )


def merge_entities(base: Iterable[Entity], extra: Iterable[Entity]) -> tuple[Entity, ...]:
    """`base` with `extra` merged in: an extra entity with a known id adds its aliases (and fills
    empty fields); an unknown id is a new entity. Order: base first, then new ones."""
    merged: dict[str, Entity] = {e.id: e for e in base}
    for e in extra:
        old = merged.get(e.id)
        if old is None:
            merged[e.id] = e
            continue
        known = {(a.text, a.lang, a.kind) for a in old.aliases}
        new_aliases = tuple(a for a in e.aliases if (a.text, a.lang, a.kind) not in known)
        merged[e.id] = Entity(
            id=old.id,
            type=old.type,
            name_en=old.name_en or e.name_en,
            name_fr=old.name_fr or e.name_fr,
            iso2=old.iso2 or e.iso2,
            iso3=old.iso3 or e.iso3,
            country_iso2=old.country_iso2 or e.country_iso2,
            parent_id=old.parent_id or e.parent_id,
            weapon_class=old.weapon_class or e.weapon_class,
            aliases=old.aliases + new_aliases,
        )
    return tuple(merged.values())


def gazetteer_from_records(
    entity_records: Iterable[Mapping[str, object]],
    rule_records: Iterable[Mapping[str, object]] = (),
    stops: Iterable[str] = (),
    *,
    extra_entities: Iterable[Entity] = (),
    version: str = "",
) -> Gazetteer:
    entities = merge_entities((entity_from_record(r) for r in entity_records), extra_entities)
    rules = {r.name: r for r in (rule_from_record(rec) for rec in rule_records)}
    for e in entities:
        for a in e.aliases:
            if a.rule and a.rule not in rules:
                raise ValueError(f"entity {e.id}: alias {a.text!r} names an unknown rule {a.rule!r}")
    return Gazetteer(entities=entities, rules=rules, stops=tuple(stops), version=version)
