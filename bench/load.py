"""The load generator: POSTs GraphQL requests to a server over keep-alive HTTP/1.1 at a fixed
concurrency and prints what it measured as one JSON object on stdout.

It runs in its own process (``python -m bench.load``), so the server's and the client's CPU
time are not mixed. It is a minimal HTTP/1.1 client on asyncio streams (no library per request:
at 600 requests a second a Python HTTP library would be the bottleneck, not the server).

Input (stdin, JSON): ``{"host", "port", "path", "headers", "bodies": [...], "concurrency",
"duration", "min_requests", "max_requests", "warmup", "versioned"}``. Each client sends the
bodies in turn, starting at its own offset. With ``versioned`` the bodies are mutations whose
variables carry ``expectedVersion``: the client keeps the version the last answer gave for the
case (``data.*.case.version``), so repeated writes to one case do not conflict.

Output: latencies in milliseconds, requests, errors (HTTP status not 200 or a GraphQL error),
elapsed seconds, the SQL statement counts the server reported (``x-bench-sql-statements``) and
response sizes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import orjson

STATEMENTS_HEADER = b"x-bench-sql-statements"


class Connection:
    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.host, self.port, self.path = host, port, path
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, body: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        """One request; on a kept-alive connection the server closed meanwhile (its idle
        timeout), once more on a new one."""
        if self.writer is not None:
            try:
                return await self._post(body)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                self.writer = None
        await self.open()
        return await self._post(body)

    async def _post(self, body: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        assert self.reader is not None and self.writer is not None
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"{self.headers}\r\n"
        ).encode("latin-1")
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[bytes, bytes] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(chunks)
        else:
            data = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").lower() == b"close":
            self.writer.close()
            self.writer = None
        return status, headers, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _version_of(data: Any) -> int | None:
    """``data.<mutation>.case.version`` of an answer, if there is one."""
    for payload in (data or {}).values():
        case = (payload or {}).get("case") if isinstance(payload, dict) else None
        if case and "version" in case:
            return int(case["version"])
    return None


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    raw_bodies = spec["bodies"]
    bodies = [orjson.dumps(b) for b in raw_bodies]
    concurrency = int(spec["concurrency"])
    duration = float(spec["duration"])
    min_requests = int(spec.get("min_requests", 0))
    max_requests = int(spec.get("max_requests", 10**9))
    warmup = int(spec.get("warmup", 0))
    versioned = bool(spec.get("versioned"))
    versions: dict[str, int] = {}
    latencies: list[float] = []
    statements: list[int] = []
    sizes: list[int] = []
    errors: list[str] = []
    clock = {"sent": 0, "warmed": 0, "start": 0.0, "deadline": 0.0}
    go = asyncio.Event()

    def body_for(index: int) -> tuple[bytes, str]:
        payload = raw_bodies[index % len(raw_bodies)]
        if not versioned:
            return bodies[index % len(bodies)], ""
        case_id = payload["variables"]["caseId"]
        version = versions.get(case_id, payload["variables"]["version"])
        return orjson.dumps(
            {**payload, "variables": {**payload["variables"], "version": version}}
        ), case_id

    async def one(conn: Connection, index: int, record: bool) -> None:
        body, case_id = body_for(index)
        started = time.perf_counter()
        status, headers, data = await conn.post(body)
        elapsed = (time.perf_counter() - started) * 1000
        answer: dict[str, Any] = {}
        try:
            answer = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        failed: Any = status != 200 or answer.get("errors")
        if versioned:
            version = _version_of(answer.get("data"))
            if version is not None:
                versions[case_id] = version
            for payload in (answer.get("data") or {}).values():
                if isinstance(payload, dict) and payload.get("errors"):
                    failed = True
        if not record:
            return
        latencies.append(elapsed)
        sizes.append(len(data))
        if STATEMENTS_HEADER in headers:
            statements.append(int(headers[STATEMENTS_HEADER]))
        if failed:
            errors.append(f"{status}: {data[:300].decode('utf-8', 'replace')}")

    async def client(number: int) -> None:
        conn = Connection(spec["host"], int(spec["port"]), spec["path"], spec["headers"])
        index = number * 7919
        try:
            for _ in range(warmup):
                await one(conn, index, record=False)
                index += 1
            clock["warmed"] += 1
            if clock["warmed"] == concurrency:
                clock["start"] = time.perf_counter()
                clock["deadline"] = clock["start"] + duration
                go.set()
            await go.wait()
            while clock["sent"] < max_requests and (
                time.perf_counter() < clock["deadline"] or clock["sent"] < min_requests
            ):
                clock["sent"] += 1
                await one(conn, index, record=True)
                index += 1
        finally:
            conn.close()

    outcomes = await asyncio.gather(
        *(client(n) for n in range(concurrency)), return_exceptions=True
    )
    elapsed = time.perf_counter() - clock["start"]
    crashes = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {
        "latencies_ms": latencies,
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "errors": len(errors) + len(crashes),
        "error_samples": errors[:3] + crashes[:2],
        "statements": statements,
        "bytes": sizes,
    }


def main() -> None:
    spec = orjson.loads(sys.stdin.buffer.read())
    result = asyncio.run(run(spec))
    sys.stdout.buffer.write(orjson.dumps(result))


if __name__ == "__main__":
    main()
