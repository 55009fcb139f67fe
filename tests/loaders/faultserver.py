"""A loopback HTTP server for the ingestion tests: small fixture feeds plus every way a feed misbehaves.

    with FaultServer() as server:
        server.url("/feed/world.xml")

Routes (all under http://127.0.0.1:PORT):
  /feed/<name>.xml     a fixture feed from `server.feeds` (tests may replace its bytes), with
                       ETag and Last-Modified, 304 for a matching conditional request
  /slow.xml?s=N        sleeps N seconds, then answers a valid feed (counts concurrent requests)
  /status/<code>.xml   that status (429 and 503 carry Retry-After from ?retry=, default 120)
  /redirect.xml?to=P&code=C   C (302) to P;   /loop.xml?n=N   302 to itself forever (n+1)
  /chain.xml?n=N       N redirects, then the world feed
  /html.xml  /truncated.xml  /latin1.xml (says utf-8, is latin-1)  /bomb.xml  /empty.xml
  /gzip.xml            a small feed, gzip-encoded
  /huge.xml?mb=N       streams N MB of items without Content-Length (records how much it sent)
  /huge_declared.xml   declares a 1 GB Content-Length and sends nothing more
  /nolink.xml          items without link or date;  /hostile.xml  titles with <script>
Every request is recorded in `server.requests` as (path, headers dict).

The feed texts are written here for the tests; no outlet's text is copied.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LAST_MODIFIED = format_datetime(dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC), usegmt=True)


def rss(title: str, items: list[tuple[str, str, str, str]], *, language: str = "en") -> bytes:
    """An RSS 2.0 document; items are (title, link, guid, pubDate)."""
    body = "".join(
        f"<item><title>{t}</title>"
        + (f"<link>{link}</link>" if link else "")
        + (f"<guid>{g}</guid>" if g else "")
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + f"<description>Summary of {t}.</description></item>"
        for t, link, g, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.test/</link><language>{language}</language>"
        f"{body}</channel></rss>"
    ).encode()


def world_feed(n: int = 3, *, start: int = 1) -> bytes:
    return rss("World desk", [
        (f"Talks resume in Geneva, round {i}", f"http://example.test/world/{i}", f"world-{i}",
         f"Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT")
        for i in range(start, start + n)
    ])


def gzip_feed() -> bytes:
    return rss("Compressed desk", [
        (f"Harbour reopens, day {i}", f"http://example.test/gzip/{i}", f"gz-{i}", "Mon, 08 Jan 2024 10:00:00 GMT")
        for i in range(1, 4)
    ])


def europe_feed() -> bytes:
    return rss("Europe desk", [
        ("Ministers meet in Brussels", "http://example.test/europe/1", "eu-1", "Tue, 02 Jan 2024 09:00:00 GMT"),
        ("Election results in Lisbon", "http://example.test/europe/2", "eu-2", "Wed, 03 Jan 2024 09:00:00 GMT"),
    ])


def french_feed() -> bytes:
    return rss("Monde", [
        ("La France et le Japon signent un accord", "http://example.test/fr/1", "fr-1", "Thu, 04 Jan 2024 08:00:00 GMT"),
    ], language="fr")


HEAD = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fault</title><link>http://example.test/</link>'
ITEM = "<item><title>Item {i}</title><link>http://example.test/huge/{i}</link><guid>huge-{i}</guid><description>{pad}</description></item>"

STATIC: dict[str, tuple[str, bytes]] = {
    "/html.xml": ("text/html", b"<!doctype html><html><head><title>Just a moment</title></head><body>Checking your browser</body></html>"),
    "/truncated.xml": ("application/rss+xml", (HEAD + "<item><title>Cut off in the mid").encode()),
    "/latin1.xml": ("application/rss+xml; charset=utf-8",
                    (HEAD + "<item><title>Caf\xe9 d\xe9fense</title><link>http://example.test/latin1/1</link>"
                     "<guid>latin1-1</guid><pubDate>Fri, 05 Jan 2024 08:00:00 GMT</pubDate></item></channel></rss>").encode("latin-1")),
    "/bomb.xml": ("application/rss+xml",
                  ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a0 "lol">'
                   + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
                   + ']><rss version="2.0"><channel><title>&a9;</title></channel></rss>').encode()),
    "/empty.xml": ("application/rss+xml", b""),
    "/nolink.xml": ("application/rss+xml",
                    (HEAD + "<item><title>An item with no link and no date</title><description>Body text.</description></item>"
                     "</channel></rss>").encode()),
    "/hostile.xml": ("application/rss+xml",
                     (HEAD + '<item><title><![CDATA[<script>alert("x")</script>Summit in Oslo]]></title>'
                      "<link>http://example.test/hostile/1</link><guid>hostile-1</guid>"
                      "<pubDate>Sat, 06 Jan 2024 08:00:00 GMT</pubDate>"
                      '<description><![CDATA[<iframe src="javascript:alert(1)"></iframe>Text]]></description></item>'
                      "</channel></rss>").encode()),
}


class FaultServer:
    def __init__(self) -> None:
        self.feeds: dict[str, bytes] = {"world": world_feed(), "europe": europe_feed(), "fr": french_feed()}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.huge_bytes_sent = 0
        self.slow_in_flight = self.slow_max_in_flight = 0  # concurrent requests to /slow.xml
        self.huge_done = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [h for p, h in self.requests if urlparse(p).path == path]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def send(self, code: int, body: bytes = b"", ctype: str = "application/rss+xml",
                     headers: tuple[tuple[str, str], ...] = ()) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                with server._lock:
                    server.requests.append((self.path, dict(self.headers.items())))
                path = url.path
                try:
                    if path.startswith("/feed/"):
                        name = path[len("/feed/"):].removesuffix(".xml")
                        body = server.feeds.get(name)
                        if body is None:
                            return self.send(404, b"no such feed", "text/plain")
                        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
                        validators = (("ETag", etag), ("Last-Modified", LAST_MODIFIED))
                        if self.headers.get("If-None-Match") == etag or (
                            not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == LAST_MODIFIED
                        ):
                            return self.send(304, b"", headers=validators)
                        return self.send(200, body, headers=validators)
                    if path == "/slow.xml":
                        with server._lock:
                            server.slow_in_flight += 1
                            server.slow_max_in_flight = max(server.slow_max_in_flight, server.slow_in_flight)
                        try:
                            time.sleep(float(q.get("s", "5")))
                        finally:
                            with server._lock:
                                server.slow_in_flight -= 1
                        return self.send(200, world_feed())
                    if path.startswith("/status/"):
                        code = int(path[len("/status/"):].removesuffix(".xml"))
                        headers: tuple[tuple[str, str], ...] = ()
                        if code in (429, 503):
                            headers = (("Retry-After", q.get("retry", "120")),)
                        return self.send(code, b"error page", "text/html", headers)
                    if path == "/redirect.xml":
                        code = int(q.get("code", "302"))
                        return self.send(code, b"", headers=(("Location", q.get("to", "/feed/world.xml")),))
                    if path == "/loop.xml":
                        n = int(q.get("n", "0")) + 1
                        return self.send(302, b"", headers=(("Location", f"/loop.xml?n={n % 3}"),))
                    if path == "/chain.xml":
                        n = int(q.get("n", "0"))
                        target = f"/chain.xml?n={n - 1}" if n > 0 else "/feed/world.xml"
                        return self.send(302, b"", headers=(("Location", target),))
                    if path == "/gzip.xml":
                        return self.send(200, gzip.compress(gzip_feed()), headers=(("Content-Encoding", "gzip"),))
                    if path == "/huge.xml":
                        return self._stream_huge(float(q.get("mb", "200")))
                    if path == "/huge_declared.xml":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/rss+xml")
                        self.send_header("Content-Length", str(1 << 30))
                        self.end_headers()
                        self.wfile.write(HEAD.encode())
                        self.close_connection = True
                        return None
                    if path in STATIC:
                        ctype, body = STATIC[path]
                        return self.send(200, body, ctype)
                    return self.send(404, b"not found", "text/plain")
                except (BrokenPipeError, ConnectionResetError):
                    return None

            def _stream_huge(self, mb: float) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                limit = int(mb * 1024 * 1024)
                sent = 0
                try:
                    self.wfile.write(HEAD.encode())
                    i = 0
                    while sent < limit:
                        chunk = "".join(ITEM.format(i=i + k, pad="x" * 900) for k in range(64)).encode()
                        i += 64
                        self.wfile.write(chunk)
                        sent += len(chunk)
                        with server._lock:
                            server.huge_bytes_sent = sent
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                finally:
                    server.huge_done.set()

        return Handler
