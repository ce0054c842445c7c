"""The floor: a hand-written endpoint for the page of 50 children at risk, to measure the
GraphQL server against (issue 15, point 2).

It answers the same request body as ``/graphql`` (it reads only the variables) with the same
data in the same shape, doing by hand what the real server does, as plainly as it can be done:

* authentication: the bearer token checked as the server checks it
  (:func:`core.access.tokens.decode_token`), then one statement for the session and its
  active account;
* row scope: the account's county (the page of 50 is asked as the county administrator; any
  other scope is refused, since the floor does not re-implement every scope);
* masking: addresses, guardians' names and phones masked unless the role may read personal
  details (:mod:`core.access.masking`'s rules);
* the page: one statement (children, household, current enrolment, school, class), the total
  one statement, guardians one, open cases one;
* audit: one INSERT of the personal-data read, as the server writes.

Plain SQL over the same driver as the server (Tortoise's client for the configured database:
asyncpg or SQLite), JSON by orjson, a bare ASGI callable under uvicorn with one worker.

    python -m bench.floor --port 8151      # DATABASE_URL from the environment
"""

from __future__ import annotations

import argparse
import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import uvicorn

from core.access.enums import Permission, Role
from core.access.masking import mask_address, mask_name, mask_phone
from core.access.roles import ROLE_PERMISSIONS
from core.access.tokens import decode_token
from core.cases.enums import TERMINAL_STATES
from core.china_time import local_date
from core.people.queries import age_on

PAGE = 50
_TERMINAL = tuple(sorted(s.value for s in TERMINAL_STATES))


def global_id(type_name: str, pk: Any) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


class Floor:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.client: Any = None
        self.postgres = database_url.startswith(("postgres", "asyncpg"))

    def sql(self, text: str) -> str:
        """``?`` placeholders as the driver wants them."""
        if not self.postgres:
            return text
        parts = text.split("?")
        return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))

    def in_list(self, values: list[Any]) -> tuple[str, list[Any]]:
        """``IN (…)`` for SQLite, ``= ANY(array)`` for PostgreSQL (one parameter)."""
        if self.postgres:
            return "= ANY(?::uuid[])", [[str(v) for v in values]]
        return "IN (" + ",".join("?" * len(values)) + ")", [str(v) for v in values]

    async def query(self, text: str, values: list[Any]) -> list[dict[str, Any]]:
        return await self.client.execute_query_dict(self.sql(text), values)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        status, answer = await self.answer(headers, body, scope)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def lifespan(self, receive: Any, send: Any) -> None:
        from tortoise import connections

        from core.db import close_database, open_database

        ctx = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                ctx = await open_database(self.database_url)
                self.client = connections.get("default")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if ctx is not None:
                    await close_database(ctx)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def answer(
        self, headers: dict[bytes, bytes], body: bytes, scope: dict[str, Any]
    ) -> tuple[int, bytes]:
        now = datetime.now(UTC)
        auth = headers.get(b"authorization", b"").decode()
        decoded = (
            await decode_token(auth[7:].strip(), now) if auth[:7].lower() == "bearer " else None
        )
        if decoded is None:
            return 401, orjson.dumps({"errors": [{"message": "unauthenticated"}]})
        account_id, session_id = decoded
        rows = await self.query(
            "SELECT a.id, a.username, a.role, a.scope_kind, a.jurisdiction_id, s.expires_at "
            "FROM auth_session s JOIN staff_account a ON a.id = s.account_id "
            "WHERE s.id = ? AND s.account_id = ? AND s.revoked_at IS NULL AND a.is_active",
            [str(session_id), str(account_id)],
        )
        if not rows or rows[0]["scope_kind"] != "COUNTY":
            return 403, orjson.dumps({"errors": [{"message": "refused"}]})
        account = rows[0]
        variables = orjson.loads(body).get("variables") or {}
        personal = Permission.READ_PERSONAL_DETAILS in ROLE_PERMISSIONS[Role(account["role"])]
        offset = _offset_after(variables.get("after"))

        terminal, terminal_values = (
            "NOT IN (" + ",".join("?" * len(_TERMINAL)) + ")",
            list(_TERMINAL),
        )
        where = (
            "c.jurisdiction_id = ? AND j.division_code = ? AND c.merged_into_id IS NULL "
            "AND EXISTS (SELECT 1 FROM case_file k WHERE k.child_id = c.id AND k.state "
            f"{terminal})"
        )
        where_values = [str(account["jurisdiction_id"]), variables["code"], *terminal_values]
        page = await self.query(
            "SELECT c.id, c.name, c.gender, c.birth_date, c.household_id, h.current_address, "
            "e.grade, e.status, s.name AS school_name, sc.name AS class_name, "
            "e.school_class_id "
            "FROM child c JOIN jurisdiction j ON j.id = c.jurisdiction_id "
            "LEFT JOIN household h ON h.id = c.household_id "
            "LEFT JOIN enrolment e ON e.child_id = c.id AND e.is_current "
            "LEFT JOIN school s ON s.id = e.school_id "
            "LEFT JOIN school_class sc ON sc.id = e.school_class_id "
            f"WHERE {where} ORDER BY c.name, c.id LIMIT {PAGE + 1} OFFSET {offset}",
            where_values,
        )
        total = await self.query(
            f"SELECT COUNT(*) AS n FROM child c JOIN jurisdiction j ON j.id = c.jurisdiction_id "
            f"WHERE {where}",
            where_values,
        )
        has_next = len(page) > PAGE
        page = page[:PAGE]
        household_ids = sorted({str(r["household_id"]) for r in page if r["household_id"]})
        child_ids = [str(r["id"]) for r in page]
        guardians: dict[str, list[dict[str, Any]]] = {}
        if household_ids:
            condition, values = self.in_list(household_ids)
            for g in await self.query(
                "SELECT id, household_id, name, relation, phone, is_primary FROM guardian "
                f"WHERE household_id {condition} ORDER BY is_primary DESC, name",
                values,
            ):
                guardians.setdefault(str(g["household_id"]), []).append(g)
        cases: dict[str, list[dict[str, Any]]] = {}
        if child_ids:
            condition, values = self.in_list(child_ids)
            for k in await self.query(
                "SELECT id, child_id, kind, state, next_deadline_at FROM case_file "
                f"WHERE child_id {condition} AND state {terminal} ORDER BY opened_at DESC",
                values + terminal_values,
            ):
                cases.setdefault(str(k["child_id"]), []).append(k)

        today = local_date(now)
        edges = []
        shown_ids: list[str] = []
        for r in page:
            household = None
            if r["household_id"]:
                people = guardians.get(str(r["household_id"]), [])
                if not personal:
                    people = sorted(
                        people, key=lambda g: (not g["is_primary"], g["name"][:1], str(g["id"]))
                    )
                address = r["current_address"]
                household = {
                    "currentAddress": address if personal else mask_address(address),
                    "guardians": [
                        {
                            "name": g["name"] if personal else mask_name(g["name"]),
                            "relation": g["relation"],
                            "phone": g["phone"] if personal else mask_phone(g["phone"]),
                        }
                        for g in people
                    ],
                }
                if personal:
                    shown_ids.append(f"Household:{r['household_id']}")
                    shown_ids.extend(f"Guardian:{g['id']}" for g in people)
            enrolment = None
            if r["grade"] is not None:
                enrolment = {
                    "grade": r["grade"],
                    "status": r["status"],
                    "school": {"name": r["school_name"]},
                    "schoolClass": {"name": r["class_name"]} if r["school_class_id"] else None,
                }
            open_cases = []
            for k in cases.get(str(r["id"]), []):
                deadline = _datetime(k["next_deadline_at"])
                open_cases.append(
                    {
                        "id": global_id("Case", k["id"]),
                        "kind": k["kind"],
                        "state": k["state"],
                        "nextDeadlineAt": deadline.isoformat() if deadline else None,
                        "isOverdue": deadline is not None and deadline < now,
                    }
                )
            edges.append(
                {
                    "node": {
                        "id": global_id("Child", r["id"]),
                        "name": r["name"],
                        "gender": r["gender"],
                        "age": age_on(_date(r["birth_date"]), today),
                        "household": household,
                        "currentEnrolment": enrolment,
                        "openCases": open_cases,
                    }
                }
            )
        if shown_ids:
            await self.audit(account, now, shown_ids, scope)
        end = _cursor(offset + len(page) - 1) if page else None
        data = {
            "children": {
                "totalCount": int(total[0]["n"]),
                "pageInfo": {"hasNextPage": has_next, "endCursor": end},
                "edges": edges,
            }
        }
        return 200, orjson.dumps({"data": data})

    async def audit(
        self, account: dict[str, Any], now: datetime, shown: list[str], scope: dict[str, Any]
    ) -> None:
        objects = sorted(set(shown))
        details = json.dumps({"count": len(objects), "objects": objects[:500]}, ensure_ascii=False)
        await self.client.execute_insert(
            self.sql(
                "INSERT INTO audit_entry (id, occurred_at, actor_kind, actor_label, account_id, "
                "api_key_id, jurisdiction_id, action, operation, object_type, object_id, "
                "request_id, client_address, details) "
                "VALUES (?, ?, 'STAFF', ?, ?, NULL, ?, 'PERSONAL_DATA_READ', 'floor', '', '', "
                "'', ?, ?)"
            ),
            [
                str(uuid.uuid4()),
                now if self.postgres else now.isoformat(sep=" "),
                account["username"],
                str(account["id"]),
                str(account["jurisdiction_id"]),
                (scope.get("client") or ("", 0))[0],
                details,
            ],
        )


def _cursor(offset: int) -> str:
    """The floor's own cursor (base64 of ``cursor:<offset>``); the API's are sealed keyset
    cursors, so the bench pages each by its own."""
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def _offset_after(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(base64.b64decode(cursor).decode().removeprefix("cursor:")) + 1


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value).date()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    from core.settings import load_settings

    settings = load_settings()
    uvicorn.run(
        Floor(settings.database_url),
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
