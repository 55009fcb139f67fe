"""fetch_feed against a real loopback server: every failure maps onto its typed error."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from email.utils import format_datetime

import httpx
import pytest

from loaders.errors import ConnectFailed, FetchTimeout, HTTPStatus, TooLarge, TooManyRedirects
from loaders.fetch import FetchResponse, fetch_feed, make_client, parse_retry_after
from sitroom.settings import Settings
from tests.loaders.faultserver import FaultServer, gzip_feed

SETTINGS = Settings(fetch_timeout_s=0.5, fetch_workers=2, user_agent="SitroomTest/1.0 (+tests)")


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(SETTINGS) as c:
        yield c


def get(client: httpx.Client, url: str, *, max_bytes: int = 1_000_000, seconds: float = 10.0, **kw: str) -> FetchResponse:
    return fetch_feed(client, url, max_bytes=max_bytes, deadline=time.monotonic() + seconds, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_body_validators_and_user_agent(server: FaultServer, client: httpx.Client) -> None:
    r = get(client, server.url("/feed/world.xml"))
    assert r.status == 200 and not r.not_modified
    assert r.body == server.feeds["world"]
    assert r.etag.startswith('"') and r.last_modified.endswith("GMT")
    assert r.n_bytes == len(r.body)
    assert server.requests_to("/feed/world.xml")[-1]["User-Agent"] == SETTINGS.user_agent


def test_conditional_get_gets_304_without_body(server: FaultServer, client: httpx.Client) -> None:
    first = get(client, server.url("/feed/europe.xml"))
    again = get(client, server.url("/feed/europe.xml"), etag=first.etag, last_modified=first.last_modified)
    sent = server.requests_to("/feed/europe.xml")[-1]
    assert sent["If-None-Match"] == first.etag and sent["If-Modified-Since"] == first.last_modified
    assert again.not_modified and again.status == 304 and again.body == b""
    assert again.etag == first.etag


def test_gzip_body_is_decoded_and_wire_size_kept(server: FaultServer, client: httpx.Client) -> None:
    r = get(client, server.url("/gzip.xml"))
    assert r.body == gzip_feed()
    assert 0 < r.n_bytes < len(r.body)  # compressed on the wire
    assert "gzip" in server.requests_to("/gzip.xml")[-1]["Accept-Encoding"]


def test_timeout(server: FaultServer, client: httpx.Client) -> None:
    t0 = time.monotonic()
    with pytest.raises(FetchTimeout) as err:
        get(client, server.url("/slow.xml?s=3"))
    assert time.monotonic() - t0 < 2.5
    assert err.value.error_class == "timeout"
    assert isinstance(err.value.__cause__, httpx.TimeoutException)


def test_run_deadline_shortens_the_timeout(server: FaultServer) -> None:
    with make_client(Settings(fetch_timeout_s=30)) as slow_client:
        t0 = time.monotonic()
        with pytest.raises(FetchTimeout):
            get(slow_client, server.url("/slow.xml?s=3"), seconds=0.4)
        assert time.monotonic() - t0 < 2.0


def test_deadline_already_past(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(FetchTimeout, match="deadline"):
        get(client, server.url("/feed/world.xml"), seconds=-1)


def test_connection_refused(client: httpx.Client) -> None:
    with pytest.raises(ConnectFailed) as err:
        get(client, f"http://127.0.0.1:{free_port()}/feed.xml")
    assert err.value.error_class == "connect"
    assert isinstance(err.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(("code", "error_class"), [(404, "http_4xx"), (410, "http_4xx"), (500, "http_5xx")])
def test_http_errors_keep_status(server: FaultServer, client: httpx.Client, code: int, error_class: str) -> None:
    with pytest.raises(HTTPStatus) as err:
        get(client, server.url(f"/status/{code}.xml"))
    assert err.value.status == code and err.value.error_class == error_class
    assert err.value.retry_after_s is None


def test_429_keeps_retry_after_seconds(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(HTTPStatus) as err:
        get(client, server.url("/status/429.xml?retry=3600"))
    assert err.value.status == 429 and err.value.retry_after_s == 3600


def test_503_retry_after_as_http_date(server: FaultServer, client: httpx.Client) -> None:
    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), usegmt=True)
    with pytest.raises(HTTPStatus) as err:
        get(client, server.url(f"/status/503.xml?retry={when.replace(' ', '%20')}"))
    assert err.value.error_class == "http_5xx"
    assert err.value.retry_after_s is not None and 7100 < err.value.retry_after_s <= 7200


def test_parse_retry_after_forms() -> None:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:10:00 GMT", now=now) == 600.0
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None


def test_redirect_followed_and_final_url_kept(server: FaultServer, client: httpx.Client) -> None:
    r = get(client, server.url("/chain.xml?n=3"))
    assert r.body == server.feeds["world"]
    assert r.final_url == server.url("/feed/world.xml")


def test_redirect_loop(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(TooManyRedirects, match="loop"):
        get(client, server.url("/loop.xml"))


def test_too_many_redirects(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(TooManyRedirects, match="more than 5"):
        get(client, server.url("/chain.xml?n=6"))


def test_huge_stream_is_cut_off_early(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(TooLarge) as err:
        get(client, server.url("/huge.xml?mb=200"), max_bytes=100_000)
    assert err.value.error_class == "too_large"
    assert server.huge_done.wait(10), "the server kept streaming after the client gave up"
    # The client stopped at the cap: the server got rid of at most the cap plus socket buffers,
    # far from the 200 MB it offered.
    assert server.huge_bytes_sent < 20 * 1024 * 1024


def test_declared_length_over_cap_is_refused_unread(server: FaultServer, client: httpx.Client) -> None:
    with pytest.raises(TooLarge, match="Content-Length"):
        get(client, server.url("/huge_declared.xml"), max_bytes=100_000)


def test_gzip_bomb_cut_at_decompressed_size() -> None:
    import gzip
    import http.server
    import threading

    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire, 50 MB inflated

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with make_client(SETTINGS) as c, pytest.raises(TooLarge, match="decompressed"):
            get(c, f"http://127.0.0.1:{srv.server_address[1]}/", max_bytes=1_000_000)
    finally:
        srv.shutdown()
        srv.server_close()


def test_bad_scheme_is_a_connect_error(client: httpx.Client) -> None:
    with pytest.raises(ConnectFailed):
        get(client, "ftp://127.0.0.1/feed.xml")


@pytest.mark.parametrize(("code", "permanent"), [(301, True), (308, True), (302, False), (307, False)])
def test_permanent_redirect_is_reported(server: FaultServer, client: httpx.Client, code: int, permanent: bool) -> None:
    r = get(client, server.url(f"/redirect.xml?code={code}&to=/feed/europe.xml"))
    assert r.body == server.feeds["europe"]
    assert r.moved_to == (server.url("/feed/europe.xml") if permanent else "")
