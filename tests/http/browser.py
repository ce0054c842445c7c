"""Headless Chromium driven over the DevTools protocol, with the network cut off: every host
but 127.0.0.1 fails to resolve and any other connection goes to a proxy that does not exist.
The requests the page makes are recorded, so a test can show that none left the machine."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

#: The flags of the developers' brief, plus the network cut.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--window-size=1400,900",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._id = 0
        self.requests: list[str] = []
        self.console: list[str] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            self._note(message)
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _note(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            self.requests.append(message["params"]["url"])
        elif message.get("method") == "Runtime.consoleAPICalled":
            args = message["params"].get("args", [])
            self.console.append(" ".join(str(a.get("value", a.get("description"))) for a in args))

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.25)
        raise TimeoutError(f"never true: {expression}")

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


@contextmanager
def open_browser(profile: Path, debugging_port: int = 0) -> Iterator[Page]:
    from websockets.sync.client import connect

    binary = chromium()
    assert binary, "chromium is not installed"
    process = subprocess.Popen(
        [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={debugging_port}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        port = debugging_port
        while True:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("chromium did not start")
            if port == 0 and port_file.exists() and port_file.read_text().strip():
                port = int(port_file.read_text().splitlines()[0])
            if port:  # a port chosen by the caller is not written to DevToolsActivePort
                try:
                    httpx.get(f"http://127.0.0.1:{port}/json/version", timeout=1)
                    break
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
        page_ws = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_ws, max_size=None, proxy=None) as ws:
            page = Page(ws)
            page.call("Network.enable")
            page.call("Runtime.enable")
            page.call("Page.enable")
            yield page
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
