"""Runtime configuration, read once from the environment (12-factor style)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field


def normalise_database_url(url: str) -> str:
    """Accept the spellings people use and return the one Tortoise understands.

    ``postgresql://`` and ``postgres://`` both mean asyncpg; a bare file name means SQLite.
    """
    url = url.strip()
    if url.startswith("postgresql://"):
        return "postgres://" + url[len("postgresql://") :]
    if "://" not in url:
        return f"sqlite://{url}"
    return url


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can configure. Defaults suit a laptop demo."""

    database_url: str = "sqlite://baoxue.db"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    #: Deepest selection set a query may have.
    max_query_depth: int = 12
    #: Most aliases one operation may use.
    max_aliases: int = 30
    #: Most tokens one query document may have.
    max_tokens: int = 4000
    #: Most objects one query may ask for, estimated before it runs (core.api.limits).
    max_query_cost: int = 50_000
    #: Default and largest page sizes of connections.
    default_page_size: int = 20
    max_page_size: int = 100
    #: Cost limit for partner-agency API keys (lower than staff's).
    max_query_cost_agency: int = 10_000
    #: Serve GraphiQL at GET /graphql.
    graphiql: bool = True
    #: Load GraphiQL's scripts from the public CDN instead of this server (needs internet).
    graphiql_cdn: bool = False
    #: Answer introspection queries (switch off in production if the SDL is not public).
    introspection: bool = True
    #: Origins allowed to call the API from a browser (CORS); empty = same origin only.
    cors_origins: tuple[str, ...] = ()
    #: Requests a minute per staff account, per API key, per anonymous client address.
    rate_limit_staff: int = 600
    rate_limit_key: int = 120
    rate_limit_anonymous: int = 60
    #: Login attempts a minute per client address (each username also at most 10 a minute).
    rate_limit_login: int = 30
    #: API-key checks a minute, per key prefix and per address, that are not served from the
    #: cache of verified keys (in practice: wrong or unknown keys), counted before Argon2 runs.
    rate_limit_key_failures: int = 10
    #: Largest request body, in bytes (HTTP 413 beyond).
    max_body_bytes: int = 128 * 1024
    #: Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; empty = the peer address is the client, always.
    trusted_proxies: tuple[str, ...] = ()
    #: Redis for state shared between workers (rate-limit counters); None = in-process.
    redis_url: str | None = None
    #: Directory of the files Baoxue writes itself (notices as DOCX), by SHA-256; every
    #: worker must see the same one.
    files_dir: str = "baoxue-files"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "asyncpg://", "psql://"))


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(
            f"环境变量 {name} 须为整数 / {name} must be an integer, got {raw!r}"
        ) from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _addresses(name: str) -> tuple[str, ...]:
    items = tuple(a.strip() for a in os.environ.get(name, "").split(",") if a.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SystemExit(
                f"环境变量 {name} 须为逗号分隔的 IP 地址或网段 / {name} must be comma-separated "
                f"IP addresses or networks, got {item!r}"
            ) from None
    return items


def load_settings() -> Settings:
    """Read :class:`Settings` from ``BAOXUE_*`` variables and ``DATABASE_URL``."""
    return Settings(
        database_url=normalise_database_url(os.environ.get("DATABASE_URL", "sqlite://baoxue.db")),
        host=os.environ.get("BAOXUE_HOST", "127.0.0.1"),
        port=_int("BAOXUE_PORT", 8000),
        workers=_int("BAOXUE_WORKERS", 1),
        log_level=os.environ.get("BAOXUE_LOG_LEVEL", "info"),
        max_query_depth=_int("BAOXUE_MAX_QUERY_DEPTH", 12),
        max_aliases=_int("BAOXUE_MAX_ALIASES", 30),
        max_tokens=_int("BAOXUE_MAX_TOKENS", 4000),
        max_query_cost=_int("BAOXUE_MAX_QUERY_COST", 50_000),
        default_page_size=_int("BAOXUE_DEFAULT_PAGE_SIZE", 20),
        max_page_size=_int("BAOXUE_MAX_PAGE_SIZE", 100),
        graphiql=_bool("BAOXUE_GRAPHIQL", True),
        graphiql_cdn=_bool("BAOXUE_GRAPHIQL_CDN", False),
        introspection=_bool("BAOXUE_INTROSPECTION", True),
        cors_origins=tuple(
            o.strip() for o in os.environ.get("BAOXUE_CORS_ORIGINS", "").split(",") if o.strip()
        ),
        rate_limit_staff=_int("BAOXUE_RATE_LIMIT_STAFF", 600),
        rate_limit_key=_int("BAOXUE_RATE_LIMIT_KEY", 120),
        rate_limit_anonymous=_int("BAOXUE_RATE_LIMIT_ANONYMOUS", 60),
        rate_limit_login=_int("BAOXUE_RATE_LIMIT_LOGIN", 30),
        rate_limit_key_failures=_int("BAOXUE_RATE_LIMIT_KEY_FAILURES", 10),
        max_body_bytes=_int("BAOXUE_MAX_BODY_BYTES", 128 * 1024),
        trusted_proxies=_addresses("BAOXUE_TRUSTED_PROXIES"),
        redis_url=os.environ.get("REDIS_URL") or None,
        files_dir=os.environ.get("BAOXUE_FILES_DIR") or "baoxue-files",
        max_query_cost_agency=_int("BAOXUE_MAX_QUERY_COST_AGENCY", 10_000),
    )
