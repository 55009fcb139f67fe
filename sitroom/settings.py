"""Application settings: one dataclass, overridable from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = ""  # SITROOM_DB: SQLite path or database URL; "" = var/sitroom.sqlite in the checkout
    poll_minutes: int = 15  # SITROOM_POLL_MINUTES: dashboard background polling interval; 0 = off
    fetch_workers: int = 8  # SITROOM_FETCH_WORKERS: concurrent feed downloads
    fetch_timeout_s: float = 20.0  # SITROOM_FETCH_TIMEOUT_S: connect/read timeout per request
    run_deadline_s: float = 120.0  # SITROOM_RUN_DEADLINE_S: a whole polling run gives up after this
    max_feed_bytes: int = 10_000_000  # SITROOM_MAX_FEED_BYTES: a response larger than this is cut off
    user_agent: str = "Sitroom/0.1 (+https://github.com/sitroom/sitroom; RSS archive)"  # SITROOM_USER_AGENT
    cache_ttl_s: int = 300  # SITROOM_CACHE_TTL_S: dashboard query cache lifetime

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"SITROOM_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            kind = type(getattr(cls(), f.name))
            try:
                values[f.name] = kind(raw)
            except ValueError as exc:
                raise ValueError(f"SITROOM_{f.name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
        return cls(**values)  # type: ignore[arg-type]
