"""The typed error tree for feed problems. Every error keeps its cause (`raise ... from exc`)
and names its class with a short stable string (`error_class`) that the fetch log, the
`status` command and the Sources page count and show.

FeedError(url)
 +-- FetchError            nothing usable came back over HTTP
 |    +-- FetchTimeout       connect/read timeout or the run's deadline      "timeout"
 |    +-- ConnectFailed      refused, DNS, TLS, reset                        "connect"
 |    +-- HTTPStatus         4xx/5xx (status kept; Retry-After kept)         "http_4xx" / "http_5xx"
 |    +-- TooManyRedirects   redirect loop or too many hops                  "redirects"
 |    +-- TooLarge           body over the size cap (stopped reading)        "too_large"
 +-- ParseError            bytes came back but are not a usable feed
      +-- EmptyBody          zero bytes                                      "empty"
      +-- NotAFeed           HTML page or other non-feed document            "not_a_feed"
      +-- EntityBomb         DTD with entity declarations (refused unread)   "entity_bomb"
      +-- MalformedFeed      ill-formed XML with no recoverable items        "malformed"
"""

from __future__ import annotations


class FeedError(Exception):
    error_class = "error"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url
        self.message = message

    def __str__(self) -> str:
        return self.message


class FetchError(FeedError):
    error_class = "fetch"


class FetchTimeout(FetchError):
    error_class = "timeout"


class ConnectFailed(FetchError):
    error_class = "connect"


class HTTPStatus(FetchError):
    def __init__(self, url: str, status: int, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(url, message)
        self.status = status
        self.retry_after_s = retry_after_s
        self.error_class = "http_5xx" if status >= 500 else "http_4xx"


class TooManyRedirects(FetchError):
    error_class = "redirects"


class TooLarge(FetchError):
    error_class = "too_large"


class ParseError(FeedError):
    error_class = "parse"


class EmptyBody(ParseError):
    error_class = "empty"


class NotAFeed(ParseError):
    error_class = "not_a_feed"


class EntityBomb(ParseError):
    error_class = "entity_bomb"


class MalformedFeed(ParseError):
    error_class = "malformed"
