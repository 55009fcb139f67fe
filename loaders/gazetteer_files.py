"""Read the gazetteer from `data/gazetteer/` and the analyst's user file.

The version of a gazetteer is a content hash of every input byte (the committed files and the
user file), so any edit, including one alias added by an analyst, yields a new version and
`extract_pending` re-extracts the archive with it.

User file (`SITROOM_GAZETTEER_USER`, default `var/custom_gazetteer.csv`, git-ignored so it
survives upgrades). Either JSON lines in the format of `data/gazetteer/*.jsonl`, or a CSV with
one alias per row, easy to keep in a spreadsheet:

    entity_id,type,name_en,name_fr,alias,lang,kind,case,rule,country_iso2,parent_id
    company:kupol-dome-maker,company,Dome Maker,,Dome Maker,,name,capitalised,,RU,
    country:UA,country,,,Oukraïna,fr,alias,capitalised,,,

A row whose `entity_id` already exists adds an alias to that entity (type and names may be
left empty); a new id makes a new entity (then `type` and `name_en` are required).
Empty `kind` means `alias`; empty `case` means `capitalised`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path

from sitroom.gazetteer import (
    ENTITY_TYPES,
    Entity,
    Gazetteer,
    alias_from_record,
    gazetteer_from_records,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
DEFAULT_USER_FILE = Path(__file__).resolve().parent.parent / "var" / "custom_gazetteer.csv"
ENTITY_FILES = (
    "countries.jsonl",
    "organisations.jsonl",
    "persons.jsonl",
    "companies.jsonl",
    "weapon_classes.jsonl",
    "weapons.jsonl",
)
USER_CSV_COLUMNS = ("entity_id", "type", "name_en", "name_fr", "alias", "lang", "kind", "case", "rule",
                    "country_iso2", "parent_id")


class GazetteerFileError(ValueError):
    """A gazetteer file that cannot be read: names the file and the line."""


def user_file_path(user_file: str | os.PathLike[str] | None = None) -> Path:
    if user_file is not None:
        return Path(user_file)
    return Path(os.environ.get("SITROOM_GAZETTEER_USER", "") or DEFAULT_USER_FILE)


def _jsonl_records(name: str, text: str) -> list[dict[str, object]]:
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise GazetteerFileError(f"{name}:{lineno}: not JSON: {exc}") from exc
    return out


def _user_csv_entities(name: str, text: str) -> list[Entity]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"entity_id", "alias"} - set(reader.fieldnames or ())
    if missing:
        raise GazetteerFileError(f"{name}: missing column(s) {', '.join(sorted(missing))}; columns: {', '.join(USER_CSV_COLUMNS)}")
    entities: dict[str, Entity] = {}
    for lineno, row in enumerate(reader, 2):
        eid = (row.get("entity_id") or "").strip()
        alias_text = (row.get("alias") or "").strip()
        if not eid or not alias_text:
            continue
        etype = (row.get("type") or "").strip() or _type_of(eid)
        try:
            alias = alias_from_record({
                "text": alias_text,
                "lang": (row.get("lang") or "").strip(),
                "kind": (row.get("kind") or "").strip() or "alias",
                "case": (row.get("case") or "").strip() or "capitalised",
                "rule": (row.get("rule") or "").strip(),
            })
        except ValueError as exc:
            raise GazetteerFileError(f"{name}:{lineno}: {exc}") from exc
        if etype not in ENTITY_TYPES:
            raise GazetteerFileError(f"{name}:{lineno}: unknown type {etype!r} for {eid}")
        old = entities.get(eid)
        if old is None:
            iso2 = eid.split(":", 1)[1] if etype == "country" else ""
            entities[eid] = Entity(
                id=eid, type=etype, name_en=(row.get("name_en") or "").strip() or alias_text,
                name_fr=(row.get("name_fr") or "").strip(), iso2=iso2,
                country_iso2=(row.get("country_iso2") or "").strip() or iso2,
                parent_id=(row.get("parent_id") or "").strip(), aliases=(alias,),
            )
        else:
            entities[eid] = Entity(**{**{f: getattr(old, f) for f in old.__slots__}, "aliases": (*old.aliases, alias)})
    return list(entities.values())


def _type_of(eid: str) -> str:
    prefix = eid.split(":", 1)[0]
    return {"org": "organisation"}.get(prefix, prefix)


def _read_user_entities(path: Path, raw: bytes) -> list[Entity]:
    text = raw.decode("utf-8-sig")
    if path.suffix == ".jsonl":
        from sitroom.gazetteer import entity_from_record

        try:
            return [entity_from_record(r) for r in _jsonl_records(str(path), text)]
        except (KeyError, ValueError) as exc:
            raise GazetteerFileError(f"{path}: {exc}") from exc
    return _user_csv_entities(str(path), text)


def read_gazetteer(
    data_dir: str | os.PathLike[str] = DATA_DIR,
    user_file: str | os.PathLike[str] | None = None,
) -> Gazetteer:
    """The gazetteer in `data_dir` plus the user file (when it exists), with its version."""
    data = Path(data_dir)
    digest = hashlib.sha256()
    entity_records: list[dict[str, object]] = []
    for name in ENTITY_FILES:
        path = data / name
        if not path.exists():
            continue
        raw = path.read_bytes()
        digest.update(name.encode() + b"\0" + raw + b"\0")
        entity_records.extend(_jsonl_records(str(path), raw.decode("utf-8")))
    if not entity_records:
        raise GazetteerFileError(f"no gazetteer entities in {data}")
    rules_path = data / "rules.jsonl"
    rule_records: list[dict[str, object]] = []
    if rules_path.exists():
        raw = rules_path.read_bytes()
        digest.update(b"rules.jsonl\0" + raw + b"\0")
        rule_records = _jsonl_records(str(rules_path), raw.decode("utf-8"))
    stops: list[str] = []
    stops_path = data / "stops.txt"
    if stops_path.exists():
        raw = stops_path.read_bytes()
        digest.update(b"stops.txt\0" + raw + b"\0")
        stops = [s.strip() for s in raw.decode("utf-8").splitlines() if s.strip() and not s.startswith("#")]
    extra: Iterable[Entity] = ()
    upath = user_file_path(user_file)
    if upath.exists():
        raw = upath.read_bytes()
        digest.update(b"user\0" + raw + b"\0")
        extra = _read_user_entities(upath, raw)
    try:
        return gazetteer_from_records(
            entity_records, rule_records, stops, extra_entities=extra, version=digest.hexdigest()[:16]
        )
    except (KeyError, ValueError) as exc:
        raise GazetteerFileError(f"gazetteer in {data}: {exc}") from exc
