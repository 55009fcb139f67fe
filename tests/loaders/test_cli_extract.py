"""`python -m sitroom extract` (stdin -> stdout JSON lines) and `reextract`, as real processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from loaders import db
from tests.conftest import ROOT


def run(args: list[str], stdin: str = "", env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITROOM_GAZETTEER_USER": "/nonexistent/custom.csv", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "sitroom", *args], input=stdin, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_extract_reads_json_lines_and_survives_a_bad_line() -> None:
    lines = [
        json.dumps({"id": "a1", "title": "Kyiv asks Berlin for Leopard 2 tanks", "lang": "en"}),
        "{not json",
        json.dumps({"id": 7, "title": ["not", "a", "string"]}),
        "",
        json.dumps({"id": "a4", "title": "La Chine et l’Iran", "summary": "Réunion à Pékin.", "lang": "fr"}),
        json.dumps({"id": "a5", "title": "Nothing to see here"}),
    ]
    out = run(["extract"], "\n".join(lines) + "\n")
    assert out.returncode == 1
    results = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a1", None, 7, "a4", "a5"]  # one output per non-empty input line
    assert "error" in results[1] and "line 2" in results[1]["error"]
    assert "error" in results[2] and "line 3" in results[2]["error"]
    assert "line 2" in out.stderr and "line 3" in out.stderr
    first = {m["entity_id"] for m in results[0]["mentions"]}
    assert {"country:UA", "country:DE", "weapon:leopard-2", "weapon_class:tank"} <= first
    kyiv = next(m for m in results[0]["mentions"] if m["alias"] == "Kyiv")
    assert kyiv == {"entity_id": "country:UA", "entity_type": "country", "name": "Ukraine", "iso2": "UA",
                    "alias": "Kyiv", "start": 0, "end": 4, "field": "title", "match_kind": "capital"}
    fr = results[3]["mentions"]
    assert [(m["entity_id"], m["alias"], m["field"]) for m in fr] == [
        ("country:CN", "Chine", "title"), ("country:IR", "Iran", "title"), ("country:CN", "Pékin", "summary")]
    assert results[4] == {"id": "a5", "mentions": []}


def test_extract_all_good_lines_exit_zero() -> None:
    out = run(["extract"], json.dumps({"id": 1, "title": "NATO summit"}) + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["mentions"][0]["entity_id"] == "org:nato"


def test_extract_uses_the_user_gazetteer(tmp_path) -> None:
    user = tmp_path / "custom.csv"
    user.write_text("entity_id,type,name_en,alias,kind,case\norg:acme-watch,organisation,Acme Watch,Acme Watch,name,capitalised\n",
                    encoding="utf-8")
    out = run(["extract"], json.dumps({"id": 1, "title": "Acme Watch report"}) + "\n",
              {"SITROOM_GAZETTEER_USER": str(user)})
    assert out.returncode == 0, out.stderr
    assert [m["entity_id"] for m in json.loads(out.stdout)["mentions"]] == ["org:acme-watch"]


def test_reextract_brings_the_archive_up_to_date(tmp_path) -> None:
    path = tmp_path / "a.sqlite"
    engine = db.make_engine(path)
    now = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    with db.write_tx(engine) as conn:
        fid = conn.execute(db.feeds.insert().values(url="http://x/f", name="f", added_at=now)).inserted_primary_key[0]
        for i in range(3):
            conn.execute(db.articles.insert().values(
                uid=f"u{i}", title=f"Ukraine story {i}", summary="", published_at=now, day="2024-01-02",
                first_seen_at=now, updated_at=now, language="en", feed_id=fid))
    engine.dispose()
    out = run(["reextract", "--db", str(path)])
    assert out.returncode == 0, out.stderr
    assert "re-extracted 3 articles" in out.stdout and "0 stale left" in out.stdout
    again = run(["reextract", "--db", str(path)])
    assert "re-extracted 0 articles" in again.stdout
    forced = run(["reextract", "--all", "--db", str(path)])
    assert "re-extracted 3 articles" in forced.stdout
    engine = db.make_engine(path)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.article_entities)).scalar() == 3
    engine.dispose()
