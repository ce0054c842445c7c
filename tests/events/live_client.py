"""A graphql-transport-ws client for the subscription tests (the ``websockets`` package against
a real uvicorn on 127.0.0.1), and an in-process uvicorn on a port the system chooses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

#: The ports these tests may listen on.
PORTS = range(8350, 8400)


def free_port() -> int:
    """A port of :data:`PORTS` nobody listens on now, tried in random order so that two test
    processes (pytest-xdist) starting servers at the same moment rarely pick the same one."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8350-8399")


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """``app`` served by uvicorn in this event loop (so it shares the test's database
    context); its ``http://`` base URL."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))  # a port the system chooses: no race with other tests
    port = listening.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    task = asyncio.create_task(server.serve(sockets=[listening]))
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        listening.close()


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class LiveClient:
    """One graphql-transport-ws connection."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self._ids = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, seconds: float = 5.0) -> dict[str, Any]:
        """The next message (pings answered); :class:`Closed` when the server closed."""
        while True:
            try:
                raw = await asyncio.wait_for(self.socket.recv(), seconds)
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else 1006
                raise Closed(code, exc.rcvd.reason if exc.rcvd else "") from None
            assert isinstance(raw, str), "the protocol's messages are text frames"
            message = json.loads(raw)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        op = str(self._ids)
        await self.send(
            {"id": op, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        return op

    async def next(self, op: str, seconds: float = 5.0) -> dict[str, Any]:
        """The next ``next`` payload of ``op`` (an ``error`` message is returned as is)."""
        while True:
            message = await self.receive(seconds)
            if message.get("id") != op:
                continue
            if message["type"] == "next":
                return message["payload"]
            return message

    async def closed(self, seconds: float = 5.0) -> Closed:
        """Wait until the server closes the connection."""
        try:
            while True:
                await self.receive(seconds)
        except Closed as closed:
            return closed


@contextlib.asynccontextmanager
async def live(base_url: str, payload: dict[str, Any] | None = None) -> AsyncIterator[LiveClient]:
    """A connection to ``base_url``'s /graphql, acknowledged with ``payload`` (when given)."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        client = LiveClient(socket)
        if payload is not None:
            ack = await client.init(payload)
            assert ack["type"] == "connection_ack", ack
        yield client


@contextlib.contextmanager
def server_process(database_url: str, env: dict[str, str]) -> Iterator[str]:
    """``baoxue serve`` in a process of its own on a port of :data:`PORTS`; its base URL."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "baoxue"), "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                process.terminate()
                tail = process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                raise RuntimeError(f"server did not answer: {tail}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
