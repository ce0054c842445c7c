"""One structured log (issue 16, point 3): a real ``baoxue serve`` writes nothing to stderr
that is not a JSON object — uvicorn's start-up and shutdown lines, the application's request
lines and its one line per refused operation — and each request line carries the server's
request id (the client's beside it), the operation, the caller, the status and the duration."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx

from core.request_log import JsonFormatter
from tests.http.live_server import live_server, prepare_database

LOGIN = 'mutation SignIn { login(username: "demo-admin", password: "baoxue-demo-2026") { token } }'


def test_every_line_the_server_writes_is_json(tmp_path: Path) -> None:
    database = prepare_database(tmp_path)
    with live_server(tmp_path, database) as server:
        graphql = f"{server.url}/graphql"
        token = httpx.post(graphql, json={"query": LOGIN}).json()["data"]["login"]["token"]
        auth = {"authorization": f"Bearer {token}"}
        ok = httpx.post(
            graphql,
            json={"query": "query FirstLook { me { label } }"},
            headers={**auth, "x-request-id": "dashboard-7"},
        )
        assert ok.status_code == 200
        server_id = ok.headers["x-request-id"]
        assert server_id != "dashboard-7" and ok.headers["x-client-request-id"] == "dashboard-7"
        refused = httpx.post(graphql, json={"query": "query Broken { nothing }"}, headers=auth)
        assert refused.json()["errors"]
        assert httpx.post(graphql, content=b"{", headers={"content-type": "application/json"})
        assert httpx.get(f"{server.url}/nowhere").status_code == 404
        httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"})
        register = httpx.get(
            f"{server.url}/registers/household.csv", params={"asOf": "2026-11-30"}, headers=auth
        )
        assert register.status_code == 200
        assert httpx.get(f"{server.url}/registers/household.csv").status_code == 401
    lines = server.stderr_lines()
    assert len(lines) >= 8, lines
    entries = []
    for line in lines:
        entry = json.loads(line)  # fails on any plain-text line
        assert isinstance(entry, dict) and {"time", "level", "logger", "message"} <= set(entry)
        entries.append(entry)

    loggers = {e["logger"] for e in entries}
    assert {"uvicorn.error", "baoxue.request", "baoxue.errors"} <= loggers, loggers
    messages = " ".join(e["message"] for e in entries)
    assert "Uvicorn running on" in messages and "Shutting down" in messages

    requests = [e for e in entries if e["logger"] == "baoxue.request"]
    first_look = next(e for e in requests if e.get("operation") == "FirstLook")
    assert first_look["request_id"] == server_id
    assert first_look["client_request_id"] == "dashboard-7"
    assert first_look["caller_kind"] == "STAFF" and first_look["caller_id"]
    assert first_look["status"] == 200 and first_look["duration_ms"] >= 0
    sign_in = next(e for e in requests if e.get("operation") == "SignIn")
    assert sign_in["caller_kind"] == "ANONYMOUS"
    assert any(e["path"] == "/nowhere" and e["status"] == 404 for e in requests)
    # a download names its caller too: the one it streamed to, and the one it refused
    downloads = [e for e in requests if e["path"] == "/registers/household.csv"]
    assert [(e["status"], e["caller_kind"]) for e in downloads] == [
        (200, "STAFF"),
        (401, "ANONYMOUS"),
    ]
    assert downloads[0]["caller_id"] == first_look["caller_id"]

    # the refused operation: one line, with the request id bound to it, and no values
    [broken] = [e for e in entries if e["logger"] == "baoxue.errors"]
    assert broken["operation"] == "Broken" and broken["request_id"]
    assert "traceback" not in broken and "exception" not in broken
    assert "baoxue-demo-2026" not in "\n".join(lines)


def test_the_formatter_redacts_and_keeps_extras() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.WARNING, __file__, 1, "token %s", ("eyJa.eyJb.sig",), None
    )
    record.phone = "13812345678"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "token ***" and entry["phone"] == "***"
    assert entry["level"] == "warning" and entry["logger"] == "uvicorn.error"
