"""Two real counties (荔浦 and 荣昌) with demo accounts and keys, and clients with no default
caller: every request here authenticates the way a partner or a school would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from tortoise import connections

from core.access import hashing
from core.demo.credentials import DemoCredentials, create_demo_credentials
from core.demo.generator import generate_demo
from core.plugins import get_registry
from core.settings import Settings, load_settings
from tests.db_snapshot import Snapshot, restore, take

LIPU = "450381"
RONGCHANG = "500153"


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small parameters: the same code path, a fraction of the time."""
    monkeypatch.setattr(
        hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass
class Counties:
    lipu: DemoCredentials
    rongchang: DemoCredentials


#: The counties as the first test of this process built them, per database dialect.
_built: dict[str, tuple[Counties, Snapshot]] = {}


@pytest.fixture
async def counties(db: Any) -> Counties:
    """荔浦 and 荣昌 demo counties (120 pupils each) with their demo accounts and keys: generated
    by the first test of the process, written back from its rows for every later one."""
    dialect = connections.get("default").capabilities.dialect
    if dialect in _built:
        built, snapshot = _built[dialect]
        await restore(snapshot)
        return built
    specs = {s.division_code: s for s in get_registry().jurisdictions()}
    await generate_demo(specs[LIPU], students=120, seed=11)
    await generate_demo(specs[RONGCHANG], students=120, seed=12)
    now = datetime.now(UTC)
    built = Counties(
        lipu=await create_demo_credentials(LIPU, now=now),
        rongchang=await create_demo_credentials(RONGCHANG, now=now),
    )
    _built[dialect] = (built, await take())
    return built


class Clock:
    """A clock tests can move."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


AppFactory = Callable[..., Any]


@pytest.fixture
async def make_client(db: Any, clock: Clock) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Build an in-process client of an app with the given setting overrides."""
    from core.server import create_app

    opened: list[httpx.AsyncClient] = []

    def build(**overrides: Any) -> httpx.AsyncClient:
        settings: Settings = load_settings(**overrides)
        app = create_app(settings, manage_database=False, clock=clock)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)),
            base_url="http://testserver",
        )
        opened.append(http)
        return http

    yield build
    for http in opened:
        await http.aclose()


@pytest.fixture
def http(make_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    return make_client()


async def gql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["X-API-Key"] = key
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { token expiresAt viewer { role jurisdictionCode }
    errors { code field message } } }"""


async def login(http: httpx.AsyncClient, username: str, password: str) -> str:
    body = await gql(http, LOGIN, {"u": username, "p": password})
    payload = body["data"]["login"]
    assert payload["errors"] == [], payload
    return payload["token"]


def username(creds: DemoCredentials, role: str) -> str:
    return next(a.username for a in creds.accounts if a.role.value == role)


def code_of(body: dict[str, Any]) -> str:
    return body["errors"][0]["extensions"]["code"]
