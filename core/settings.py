"""Runtime configuration, read once from the environment (12-factor style) and checked.

:class:`Settings` is a pydantic-settings model: every ``BAOXUE_*`` variable (and
``DATABASE_URL``, ``REDIS_URL``) is parsed and validated when the settings are loaded, so a
value that is not what the setting takes — an unknown log level, a boolean word other than
true/false/1/0/yes/no/on/off, a port out of range — stops start-up with one line naming the
variable (:func:`load_settings` raises :class:`SystemExit` with it), instead of a traceback
later or a setting silently switched off. The README's configuration table lists every field
(``tests/test_settings.py`` checks it).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "BAOXUE_"
LogLevel = Literal["debug", "info", "warning", "error", "critical"]
CommaList = Annotated[tuple[str, ...], NoDecode]


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


class Settings(BaseSettings):
    """Everything a deployment can configure. Defaults suit a laptop demo."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str = Field(
        "sqlite://baoxue.db", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    log_level: LogLevel = "info"
    #: Deepest selection set a query may have.
    max_query_depth: int = Field(12, ge=1)
    #: Most aliases one operation may use.
    max_aliases: int = Field(30, ge=0)
    #: Most tokens one query document may have.
    max_tokens: int = Field(4000, ge=10)
    #: Most objects one query may ask for, estimated before it runs (core.api.limits).
    max_query_cost: int = Field(50_000, ge=1)
    #: Default and largest page sizes of connections.
    default_page_size: int = Field(20, ge=1)
    max_page_size: int = Field(100, ge=1)
    #: Cost limit for partner-agency API keys (lower than staff's).
    max_query_cost_agency: int = Field(10_000, ge=1)
    #: Serve GraphiQL at GET /graphql.
    graphiql: bool = True
    #: Load GraphiQL's scripts from the public CDN instead of this server (needs internet).
    graphiql_cdn: bool = False
    #: Answer introspection queries (switch off in production if the SDL is not public).
    introspection: bool = True
    #: Answer the hot list queries it covers by the fast path (core.api.fastpath).
    fast_path: bool = True
    #: Origins allowed to call the API from a browser (CORS); empty = same origin only.
    cors_origins: CommaList = ()
    #: Requests a minute per staff account, per API key, per anonymous client address.
    rate_limit_staff: int = Field(600, ge=0)
    rate_limit_key: int = Field(120, ge=0)
    rate_limit_anonymous: int = Field(60, ge=0)
    #: Login attempts a minute per client address (each username also at most 10 a minute).
    rate_limit_login: int = Field(30, ge=0)
    #: API-key checks a minute, per key prefix and per address, that are not served from the
    #: cache of verified keys (in practice: wrong or unknown keys), counted before Argon2 runs.
    rate_limit_key_failures: int = Field(10, ge=0)
    #: Largest request body, in bytes (HTTP 413 beyond).
    max_body_bytes: int = Field(128 * 1024, ge=1024)
    #: Largest uploaded file (a multipart request may carry this plus its form fields).
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    #: Largest roster file an import may upload (startImport): a 100,000-row CSV is ~15 MB.
    max_import_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    #: Where uploaded files are stored (default: ``baoxue-files`` next to the SQLite file).
    files_dir: str = ""
    #: Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; empty = the peer address is the client, always.
    trusted_proxies: CommaList = ()
    #: Responses at least this many bytes are gzip-compressed for clients that accept it;
    #: 0 = never compress.
    gzip_minimum_size: int = Field(1024, ge=0)
    #: Bearer token a Prometheus scraper must send to GET /metrics; unset = loopback only.
    metrics_token: str | None = None
    #: Directory for prometheus-client's multiprocess files (several workers); unset = a fresh
    #: temporary directory when ``--workers`` is more than one.
    metrics_dir: str | None = None
    #: OpenTelemetry spans for every GraphQL operation (needs ``pip install 'baoxue[tracing]'``).
    tracing: bool = False
    #: Redis for state shared between workers (rate-limit counters); None = in-process.
    redis_url: str | None = Field(None, validation_alias=AliasChoices("REDIS_URL", "redis_url"))

    #: Redis pub/sub channel of the live feed (GraphQL subscriptions): every process that
    #: shares it hears every other's committed events; without REDIS_URL, in-process only.
    subscription_channel: str = Field("baoxue:events", min_length=1, max_length=200)
    #: How often an idle subscription re-checks its caller's session (logout, expiry, a
    #: disabled account or a revoked key close the socket); it is also checked on each delivery.
    subscription_check_seconds: float = Field(30.0, gt=0, le=3600)

    #: Seconds a webhook receiver has to answer before the attempt counts as failed.
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=120)
    #: Wait before a failed delivery's first retry; each later retry waits twice as long.
    webhook_retry_seconds: int = Field(10, ge=1)
    #: Longest wait between two attempts of one delivery.
    webhook_retry_max_seconds: int = Field(3600, ge=1)
    #: Failures in a row after which an endpoint is switched off (its administrator is told).
    webhook_disable_after: int = Field(20, ge=1)
    #: How often ``baoxue worker`` looks for deliveries that are due.
    worker_poll_seconds: float = Field(2.0, gt=0)
    #: How long a worker holds a delivery it is sending; after that another worker may send it.
    worker_lease_seconds: int = Field(120, ge=5)
    #: How often ``baoxue worker`` records the deadlines that have passed.
    worker_reminder_seconds: int = Field(300, ge=1)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {item!r}") from None
        return value

    @field_validator("redis_url", "metrics_token", "metrics_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def files_path(self) -> Path:
        """The directory of the local file store."""
        from core.files.storage import files_dir_for

        return files_dir_for(self.files_dir, self.database_url)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "asyncpg://", "psql://"))


def environment_variable(field: str) -> str:
    """The variable that sets ``field`` (``DATABASE_URL``, ``BAOXUE_LOG_LEVEL``…)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return PREFIX + field.upper()


def _explain(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        name = environment_variable(field) if field in Settings.model_fields else field
        value = problem.get("input")
        reason = problem["msg"].removeprefix("Value error, ")
        lines.append(f"配置错误 / invalid setting: {name}={value!r}: {reason}")
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Read :class:`Settings` from ``BAOXUE_*`` variables, ``DATABASE_URL`` and ``REDIS_URL``;
    a bad value stops the process with one line per variable (no traceback)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SystemExit(_explain(exc)) from None
