"""The ingestion commands through `loaders.cli.main`, on a temporary archive and the loopback server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from loaders import db
from loaders.cli import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, main
from loaders.cli_ingest import parse_interval
from tests.loaders.faultserver import FaultServer


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture(autouse=True)
def fast_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITROOM_FETCH_TIMEOUT_S", "0.5")
    monkeypatch.setenv("SITROOM_MAX_FEED_BYTES", "100000")
    monkeypatch.delenv("SITROOM_DB", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def n_articles(path: Path) -> int:
    engine = db.make_engine(path)
    with engine.connect() as conn:
        value = int(conn.execute(select(func.count()).select_from(db.articles)).scalar() or 0)
    engine.dispose()
    return value


def test_feeds_commands(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    d = str(db_path)
    url = "https://example.test/world.xml"
    assert run(capsys, "feeds", "add", url, "--name", "World", "--language", "fr", "--db", d)[0] == EXIT_OK
    code, out, _ = run(capsys, "feeds", "list", "--db", d)
    assert code == EXIT_OK and "World" in out and url in out
    code, _, err = run(capsys, "feeds", "add", url, "--db", d)
    assert code == EXIT_USAGE and "already subscribed" in err
    code, _, err = run(capsys, "feeds", "add", "not a url", "--db", d)
    assert code == EXIT_USAGE and "http" in err
    assert run(capsys, "feeds", "--db", d, "disable", url)[0] == EXIT_OK  # --db before the action works too
    assert run(capsys, "feeds", "enable", url, "--db", d)[0] == EXIT_OK
    code, out, _ = run(capsys, "feeds", "remove", url, "--db", d)
    assert code == EXIT_OK and "removed" in out
    code, _, err = run(capsys, "feeds", "remove", url, "--db", d)
    assert code == EXIT_USAGE and "no such feed" in err


def test_opml_commands(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    d = str(db_path)
    run(capsys, "feeds", "add", "https://example.test/a.xml", "--region", "Asia", "--db", d)
    run(capsys, "feeds", "add", "https://example.test/b.xml", "--language", "en", "--db", d)
    code, out, _ = run(capsys, "feeds", "export-opml", "--db", d)
    assert code == EXIT_OK and out.startswith("<?xml") and "https://example.test/a.xml" in out
    target = tmp_path / "subs.opml"
    assert run(capsys, "feeds", "export-opml", "--output", str(target), "--db", d)[0] == EXIT_OK
    other = str(tmp_path / "other.sqlite")
    code, out, _ = run(capsys, "feeds", "import-opml", str(target), "--db", other)
    assert code == EXIT_OK and "2 added" in out
    code, out, _ = run(capsys, "feeds", "import-opml", str(target), "--db", other)
    assert code == EXIT_OK and "2 already subscribed" in out

    bad = tmp_path / "bad.opml"
    bad.write_text("<html>nope</html>")
    code, _, err = run(capsys, "feeds", "import-opml", str(bad), "--db", other)
    assert code == EXIT_USAGE and "invalid OPML" in err
    code, _, err = run(capsys, "feeds", "import-opml", str(tmp_path / "missing.opml"), "--db", other)
    assert code == EXIT_USAGE and "cannot read" in err


def test_ingest_summary_and_exit_codes(capsys: pytest.CaptureFixture[str], db_path: Path, server: FaultServer) -> None:
    d = str(db_path)
    for path in ("/feed/world.xml", "/feed/fr.xml"):
        run(capsys, "feeds", "add", server.url(path), "--db", d)
    code, out, _ = run(capsys, "ingest", "--db", d)
    assert code == EXIT_OK, out
    assert "2 ok" in out and "4 new" in out
    code, out, _ = run(capsys, "ingest", "--db", d)
    assert code == EXIT_OK and "0 feed(s)" in out and "2 not due" in out
    code, out, _ = run(capsys, "ingest", "--force", "--db", d)
    assert code == EXIT_OK and "2 not modified" in out

    run(capsys, "feeds", "add", server.url("/status/500.xml"), "--db", d)
    run(capsys, "feeds", "add", server.url("/html.xml"), "--db", d)
    code, out, _ = run(capsys, "ingest", "--db", d)
    assert code == EXIT_FAILURES
    assert "2 failed" in out and "http_5xx 1" in out and "not_a_feed 1" in out
    assert server.url("/html.xml") in out

    code, _, err = run(capsys, "ingest", "--feed", server.url("/feed/europe.xml"), "--db", d)
    assert code == EXIT_USAGE and "not subscribed" in err

    code, out, _ = run(capsys, "status", "--db", d)
    assert code == EXIT_OK
    assert "http_5xx: HTTP 500" in out and "not_a_feed" in out
    assert "50%" in out  # 304 ratio of a feed polled twice: a 200, then a 304
    assert "4 feed(s), 4 enabled, 2 failing now" in out


def test_ingest_every_with_bounded_runs(capsys: pytest.CaptureFixture[str], db_path: Path, server: FaultServer) -> None:
    d = str(db_path)
    run(capsys, "feeds", "add", server.url("/feed/world.xml"), "--db", d)
    code, out, _ = run(capsys, "ingest", "--every", "1s", "--max-runs", "2", "--db", d)
    assert code == EXIT_OK
    assert out.count("polled") == 2 and "3 new" in out


@pytest.mark.parametrize("argv", [
    ["ingest", "--every", "0"],
    ["ingest", "--every", "soon"],
    ["export", "everything"],
    ["export", "articles", "--format", "xlsx"],
    ["feeds"],
    ["feeds", "add"],
])
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], db_path: Path, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--db", str(db_path)])
    assert exit_info.value.code == EXIT_USAGE
    assert "error" in capsys.readouterr().err


def test_every_with_force_is_bad_usage(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, _, err = run(capsys, "ingest", "--every", "15m", "--force", "--db", str(db_path))
    assert code == EXIT_USAGE and "--every" in err


def test_parse_interval() -> None:
    assert parse_interval("90s") == 1.5 and parse_interval("15m") == 15 and parse_interval("1h") == 60
    assert parse_interval("20") == 20


def test_export_articles_csv_and_parquet(capsys: pytest.CaptureFixture[str], db_path: Path, server: FaultServer,
                                         tmp_path: Path) -> None:
    d = str(db_path)
    for path in ("/feed/world.xml", "/feed/europe.xml", "/hostile.xml"):
        run(capsys, "feeds", "add", server.url(path), "--db", d)
    assert run(capsys, "ingest", "--db", d)[0] == EXIT_OK
    code, out, _ = run(capsys, "export", "articles", "--format", "csv", "--db", d)
    assert code == EXIT_OK
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == n_articles(db_path) == 6
    for column in ("uid", "url", "title", "published", "lang", "feeds"):
        assert column in frame.columns
    assert frame["uid"].is_unique
    assert "http://example.test/world/1" in set(frame["url"])

    target = tmp_path / "articles.parquet"
    code, _, err = run(capsys, "export", "articles", "--format", "parquet", "--output", str(target), "--db", d)
    assert code == EXIT_OK and "6 row(s)" in err
    back = pd.read_parquet(target)
    assert sorted(back["uid"]) == sorted(frame["uid"])


def test_export_mentions(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    pytest.importorskip("loaders.extract")
    code, out, _ = run(capsys, "export", "mentions", "--format", "csv", "--db", str(db_path))
    assert code == EXIT_OK
    pd.read_csv(io.StringIO(out))  # a header at least, even on an empty archive


def test_backfill_command(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    from tests.loaders.faultserver import europe_feed, world_feed

    folder = tmp_path / "archive" / "desk" / "rss_world"
    folder.mkdir(parents=True)
    (folder / "desk-world_2024-01-02.xml").write_bytes(world_feed())
    (folder / "desk-europe_2024-01-03.xml").write_bytes(europe_feed())
    code, out, _ = run(capsys, "backfill", str(tmp_path / "archive"), "--workers", "1", "--db", str(db_path))
    assert code == EXIT_OK, out
    assert "2 file(s)" in out and "5 new" in out
    assert n_articles(db_path) == 5

    code, _, err = run(capsys, "backfill", str(tmp_path / "nowhere"), "--db", str(db_path))
    assert code == EXIT_USAGE and "not a directory" in err


def test_bad_setting_in_the_environment_is_bad_usage(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITROOM_FETCH_WORKERS", "many")
    code, _, err = run(capsys, "ingest", "--feed", "https://example.test/x.xml", "--db", str(db_path))
    assert code == EXIT_USAGE and "SITROOM_FETCH_WORKERS" in err
