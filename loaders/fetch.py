"""Retrieving one feed's bytes over HTTP: the network half of a poll (parsing is elsewhere).

`fetch_feed` does one conditional GET and either returns the body or raises one of the typed
errors of `loaders.errors`, always with the httpx cause attached. Decisions:

- Redirects are followed by hand (at most `MAX_REDIRECTS` hops, a URL seen twice is a loop) so
  that every hop checks the run's deadline and the final URL is known.
- The body is streamed. A `Content-Length` above the cap is refused before reading anything;
  otherwise reading stops as soon as the cap is crossed, so a 2 GB answer costs `max_bytes`.
- We ask for `gzip, deflate` only and decompress ourselves with a bounded `zlib` object: the
  cap applies to the decompressed size too, so a gzip bomb is cut off like any large body.
- Timeouts: httpx's per-phase timeouts (connect, read of each chunk) are the smaller of the
  configured timeout and the time left before `deadline` (a `time.monotonic()` value), and the
  deadline is checked between chunks, so a server that dribbles bytes cannot hold a run open.
- `Retry-After` (delta seconds or an HTTP date) is kept on 429/503 errors and on responses.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
import zlib
from dataclasses import dataclass

import httpx

from loaders.errors import (
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HTTPStatus,
    TooLarge,
    TooManyRedirects,
)
from sitroom.settings import Settings

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """What came back from one successful (2xx or 304) conditional GET."""

    status: int
    body: bytes  # decoded (gunzipped) body; b"" on 304
    etag: str  # validators to send next time ("" when the server gave none)
    last_modified: str
    not_modified: bool  # 304: nothing changed since the validators we sent; do not parse
    final_url: str  # after redirects
    n_bytes: int  # bytes received on the wire (compressed size when gzip)
    retry_after_s: float | None = None
    moved_to: str = ""  # the final URL when every redirect on the way was permanent (301/308)


def make_client(settings: Settings | None = None) -> httpx.Client:
    """One client per run, shared by the worker threads (httpx.Client is thread-safe)."""
    settings = settings or Settings.from_env()
    timeout = settings.fetch_timeout_s
    workers = max(1, settings.fetch_workers)
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=workers * 2, max_keepalive_connections=workers),
        trust_env=False,  # no proxy or netrc surprises; deployments that need a proxy pass their own client
    )


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None if absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _timeout_for(client: httpx.Client, deadline: float, url: str) -> dict[str, float | None]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(url, "run deadline reached before the request")
    base = client.timeout
    def cap(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)
    return {"connect": cap(base.connect), "read": cap(base.read), "write": cap(base.write), "pool": cap(base.pool)}


def _timeout_message(exc: httpx.TimeoutException, deadline: float) -> str:
    if time.monotonic() >= deadline - 0.05:
        return f"{type(exc).__name__}: run deadline reached"
    return f"{type(exc).__name__}: no answer within the timeout"


class _Decoder:
    """Content-Encoding decoding with a bound on the output: never inflates past `limit` bytes."""

    def __init__(self, encoding: str, url: str, limit: int) -> None:
        encoding = encoding.strip().lower()
        self.url, self.limit = url, limit
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, auto-detected
        else:
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes, have: int) -> bytes:
        if self._z is None:
            return chunk
        try:
            out = self._z.decompress(chunk, self.limit - have + 1)
        except zlib.error as exc:
            raise FetchError(self.url, f"corrupt compressed body: {exc}") from exc
        if self._z.unconsumed_tail:  # more output pending than the cap allows
            raise TooLarge(self.url, f"decompressed body exceeds the {self.limit:,}-byte cap")
        return out

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        try:
            return self._z.flush()
        except zlib.error as exc:
            raise FetchError(self.url, f"corrupt compressed body: {exc}") from exc


def _read_capped(response: httpx.Response, url: str, *, max_bytes: int, deadline: float) -> tuple[bytes, int]:
    declared = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(url, f"Content-Length {int(declared):,} exceeds the {max_bytes:,}-byte cap (not read)")
    decoder = _Decoder(encoding, url, max_bytes)
    parts: list[bytes] = []
    have = wire = 0
    for chunk in response.iter_raw(CHUNK_BYTES):
        wire += len(chunk)
        if wire > max_bytes:
            raise TooLarge(url, f"body exceeds the {max_bytes:,}-byte cap (stopped reading at {wire:,} bytes)")
        out = decoder.feed(chunk, have)
        have += len(out)
        if have > max_bytes:
            raise TooLarge(url, f"decompressed body exceeds the {max_bytes:,}-byte cap")
        parts.append(out)
        if time.monotonic() > deadline:
            raise FetchTimeout(url, f"run deadline reached while reading the body ({wire:,} bytes in)")
    tail = decoder.flush()
    if have + len(tail) > max_bytes:
        raise TooLarge(url, f"decompressed body exceeds the {max_bytes:,}-byte cap")
    parts.append(tail)
    return b"".join(parts), wire


def fetch_feed(
    client: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int,
    deadline: float,
) -> FetchResponse:
    """GET `url` conditionally; the body (2xx), or `not_modified` (304), or a typed FetchError."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        request = client.build_request("GET", url, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        raise ConnectFailed(url, f"invalid URL: {exc}") from exc
    seen = {str(request.url)}
    hops = 0
    permanent = True
    while True:
        request.extensions["timeout"] = _timeout_for(client, deadline, url)
        try:
            response = client.send(request, stream=True, follow_redirects=False)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, _timeout_message(exc, deadline)) from exc
        except httpx.UnsupportedProtocol as exc:
            raise ConnectFailed(url, f"unsupported URL scheme: {exc}") from exc
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise ConnectFailed(url, f"{type(exc).__name__}: {exc or 'connection failed'}") from exc
        try:
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status in _REDIRECTS:
                nxt = response.next_request
                if nxt is None:
                    raise FetchError(url, f"HTTP {status} redirect without a usable Location")
                hops += 1
                target = str(nxt.url)
                if target in seen:
                    raise TooManyRedirects(url, f"redirect loop after {hops} hops (back to {target})")
                if hops > MAX_REDIRECTS:
                    raise TooManyRedirects(url, f"more than {MAX_REDIRECTS} redirects (last to {target})")
                if nxt.url.scheme not in ("http", "https"):
                    raise TooManyRedirects(url, f"redirect to a non-HTTP URL {target}")
                seen.add(target)
                permanent = permanent and status in (301, 308)
                request = nxt
                continue
            validators = (response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""))
            if status == 304:
                return FetchResponse(
                    status=304, body=b"", etag=validators[0] or etag, last_modified=validators[1] or last_modified,
                    not_modified=True, final_url=str(request.url), n_bytes=0, retry_after_s=retry_after,
                    moved_to=str(request.url) if hops and permanent else "",
                )
            if status >= 400:
                reason = response.reason_phrase or ""
                wait = f", Retry-After {retry_after:.0f}s" if retry_after is not None else ""
                raise HTTPStatus(url, status, f"HTTP {status} {reason}{wait}".strip(), retry_after_s=retry_after)
            if not 200 <= status < 300:
                raise FetchError(url, f"unexpected HTTP status {status}")
            body, wire = _read_capped(response, url, max_bytes=max_bytes, deadline=deadline)
            return FetchResponse(
                status=status, body=body, etag=validators[0], last_modified=validators[1], not_modified=False,
                final_url=str(request.url), n_bytes=wire, retry_after_s=retry_after,
                moved_to=str(request.url) if hops and permanent else "",
            )
        except FetchError as exc:
            if getattr(exc, "status", None) is None:  # keep the status that came back (a 200 too large, a 302 loop)
                setattr(exc, "status", status)  # noqa: B010 - FetchError declares no status; HTTPStatus does
            raise
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, _timeout_message(exc, deadline) + " (while reading the body)") from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise ConnectFailed(url, f"{type(exc).__name__} while reading the body: {exc}") from exc
        finally:
            response.close()
