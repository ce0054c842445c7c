"""``python -m bench`` (``make bench``): the API benchmark over HTTP, one command.

For each data size and database it

1. builds the demo county (``baoxue demo --students N``, 示范县 369901) once and keeps it in
   the cache directory (``~/.cache/baoxue-bench``; PostgreSQL: a template database
   ``baoxue_bench_<N>_<key>`` on ``--pg-server``), rebuilt only when the demo generator or the
   migrations change; each run works on a copy, so the case mutation leaves the cache as built;
2. starts the real server (``bench/serve.py``: ``core.server.create_app`` under uvicorn, one
   worker, reporting SQL statements per request in a header) and the floor
   (``bench/floor.py``, the hand-written endpoint), each as a subprocess;
3. logs in as the demo county administrator and the demo township official, and measures from
   a separate process (``bench/load.py``) at concurrency 1 and 10:

   * ``page50``   a page of 50 children at risk with household, guardians, school, class and
                  open cases (county administrator), alternately with the floor (A, B, A, B);
   * ``file``     one child's full file with its case timelines (docs/api.md screen 2);
   * ``town``     the town's open cases, most overdue first, as the township official;
   * ``dashboard`` the county dashboard (docs/api.md);
   * ``contact``  a case mutation: ``recordContact`` on open cases;

4. prints p50/p99 latency, requests/s, SQL statements per request, errors, response size and the
   server's peak resident memory, the machine and the load average, and for the page of 50 our
   p50 ÷ the floor's p50 and our requests/s ÷ the floor's.

    python -m bench                                   # 10,000 and 100,000 pupils, both databases
    python -m bench --sizes 10000 --databases sqlite --quick     # a few minutes
    python -m bench --database-url postgres://…/demo --jurisdiction 450381 --scenarios page50,town
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
JURISDICTION = "369901"
SEED = 2026
ADMIN = ("demo-admin", "baoxue-demo-2026")
TOWNSHIP = ("demo-township", "baoxue-demo-2026")

PAGE_OF_50 = """
query AtRiskPage($code: String!, $after: String) {
  children(filter: {jurisdictionCode: $code, hasOpenCase: true},
           orderBy: {field: NAME, direction: ASC}, first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        gender
        age
        household { currentAddress guardians { name relation phone } }
        currentEnrolment { grade status school { name } schoolClass { name } }
        openCases { id kind state nextDeadlineAt isOverdue }
      }
    }
  }
}
"""

CHILD_FILE = """
query ChildFile($child: ID!) {
  node(id: $child) {
    ... on Child {
      id name gender birthDate age idNumber studentNumber ethnicity keyGroups
      household {
        headName registeredAddress currentAddress povertyStatus isLowIncome migrationStatus
        village { name town { name } }
        guardians { name relation phone worksAway isPrimary }
      }
      currentEnrolment { grade status mode school { name } schoolClass { name } }
      enrolments {
        grade status startedOn endedOn school { name }
        changes { kind occurredOn statusAfter counterpartSchool reason }
      }
      cases {
        id kind state source reason reasonLabel escalationLevel openedAt closedAt
        nextDeadlineAt isOverdue
        events { kind fromState toState occurredAt actorName details }
      }
      assistance { programme programmeLabel amount schoolYear grantedOn funder }
      homeVisits { kind visitedOn visitorName findings followUpNeeded }
      supportPlans { kind plan startedOn endedOn mentor { name } }
      responsibilities { line duty official { name title phone } }
    }
  }
}
"""

TOWN_CASES = """
query TownOpenCases($after: String) {
  cases(filter: {isOpen: true}, orderBy: {field: NEXT_DEADLINE_AT, direction: ASC},
        first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id kind state escalationLevel nextDeadlineAt isOverdue daysOverdue reasonLabel
        school { name }
        child { name age household { village { name } guardians { name phone isPrimary } } }
        lastEvent { kind occurredAt actorName }
      }
    }
  }
}
"""

DASHBOARD = """
query CountyDashboard($code: String!) {
  countyDashboard(jurisdictionCode: $code) {
    unaccounted
    targets { label value status gap summary
              children(first: 10) { totalCount edges { node { name } } } }
    accounting { registry states { state label count } }
    casesByState { key label cases }
    casesByLevel { key label cases }
    overdueByOffice { office cases mostDaysOverdue }
  }
}
"""

RECORD_CONTACT = """
mutation Contact($caseId: ID!, $version: Int!) {
  recordContact(input: {caseId: $caseId, expectedVersion: $version, kind: PHONE_CALL,
                        outcome: REACHED, method: "电话", note: "bench"}) {
    case { id version state }
    errors { code field message }
  }
}
"""

OPEN_CASE_IDS = """
query OpenCases { cases(filter: {isOpen: true}, first: 100) {
  edges { node { id version state child { id } } } } }
"""


@dataclass
class Measurement:
    scenario: str
    target: str  # "api" or "floor"
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0
    errors: int = 0
    statements: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    rss_mib: float = 0.0
    #: the server process's CPU time (user + system) over the measurements, and the requests
    #: it served in them (warm-up included)
    cpu_s: float = 0.0
    served: int = 0

    def add(self, result: dict[str, Any]) -> None:
        self.latencies += result["latencies_ms"]
        self.requests += result["requests"]
        self.elapsed += result["elapsed_s"]
        self.errors += result["errors"]
        self.statements += result["statements"]
        self.sizes += result["bytes"]
        self.samples += result["error_samples"]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else float("nan")

    def line(self) -> str:
        sql = f"{statistics.median(self.statements):4.0f}" if self.statements else "   -"
        size = statistics.median(self.sizes) / 1024 if self.sizes else 0
        return (
            f"{self.scenario:<10} {self.target:<5} c={self.concurrency:<3} "
            f"p50 {self.p50:8.1f} ms  p99 {self.p99:8.1f} ms  {self.rps:7.1f} req/s  "
            f"{sql} SQL  {self.requests:5d} req  {self.errors:3d} err  {size:6.1f} KiB  "
            f"peak RSS {self.rss_mib:5.0f} MiB  CPU {self.cpu_ms:5.1f} ms/req"
        )

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.served if self.served else float("nan")


# --- the machine ------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def timed(m: Measurement, pid: int, *args: Any, **options: Any) -> None:
    """``m.add(measure(*args, **options))``, with the CPU time the server (process ``pid``)
    spent meanwhile."""
    before = cpu_seconds(pid)
    result = measure(*args, **options)
    m.cpu_s += cpu_seconds(pid) - before
    m.served += result["requests"] + options.get("warmup", 2) * m.concurrency
    m.add(result)


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --- the data sets ----------------------------------------------------------------------------


def dataset_key(size: int) -> str:
    """Changes when what the demo builds could change: generator, migrations, models."""
    digest = hashlib.sha256(f"{size}/{SEED}/{JURISDICTION}".encode())
    for pattern in ("core/demo/*.py", "core/migrations/*.py", "core/*/models.py"):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def baoxue(*args: str, cwd: Path) -> None:
    command = [str(Path(sys.executable).parent / "baoxue"), *args]
    started = time.perf_counter()
    print(f"  building: baoxue {' '.join(args)}", flush=True)
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def sqlite_database(cache: Path, size: int) -> str:
    """A fresh copy of the cached SQLite demo of ``size`` pupils; returns its URL."""
    key = dataset_key(size)
    built = cache / f"sqlite-{size}-{key}.db"
    if not built.exists():
        for old in cache.glob(f"sqlite-{size}-*.db"):
            old.unlink()
        workdir = cache / f"build-{size}"
        workdir.mkdir(parents=True, exist_ok=True)
        partial = workdir / "demo.db"
        partial.unlink(missing_ok=True)
        baoxue(
            "demo",
            "--students",
            str(size),
            "--seed",
            str(SEED),
            "--jurisdiction",
            JURISDICTION,
            "--database-url",
            f"sqlite://{partial}",
            cwd=workdir,
        )
        partial.rename(built)
    copy = cache / "run" / f"sqlite-{size}.db"
    copy.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(built, copy)
    return f"sqlite://{copy}"


async def _pg(server: str, *statements: str) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        results = []
        for statement in statements:
            results.append(await conn.fetch(statement))
        return results
    finally:
        await conn.close()


def postgres_database(cache: Path, server: str, size: int, port: int, prefix: str) -> str:
    """A fresh copy (``CREATE DATABASE … TEMPLATE``) of the template database of the demo of
    ``size`` pupils, built on first use; returns its URL. Every database it makes or drops is
    named ``<prefix>_…``."""
    key = dataset_key(size)
    template = f"{prefix}_{size}_{key}"
    run = _run_database(prefix, size, port)  # one per bench run's port: runs may overlap
    (names,) = asyncio.run(
        _pg(
            server,
            f"SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}_{size}_')",
        )
    )
    existing = {r["datname"] for r in names}
    if template not in existing:
        stale = [n for n in existing if n != template]
        asyncio.run(
            _pg(
                server,
                *(f'DROP DATABASE IF EXISTS "{n}"' for n in stale),
                f'DROP DATABASE IF EXISTS "{template}_partial"',
                f'CREATE DATABASE "{template}_partial"',
            )
        )
        workdir = cache / f"build-{size}"
        workdir.mkdir(parents=True, exist_ok=True)
        baoxue(
            "demo",
            "--students",
            str(size),
            "--seed",
            str(SEED),
            "--jurisdiction",
            JURISDICTION,
            "--database-url",
            f"{server}/{template}_partial",
            cwd=workdir,
        )
        asyncio.run(_pg(server, f'ALTER DATABASE "{template}_partial" RENAME TO "{template}"'))
    asyncio.run(
        _pg(
            server,
            f'DROP DATABASE IF EXISTS "{run}"',
            f'CREATE DATABASE "{run}" TEMPLATE "{template}"',
        )
    )
    return f"{server}/{run}"


def _run_database(prefix: str, size: int, port: int) -> str:
    return f"{prefix}_run_{size}_{port}"


def drop_postgres_copy(server: str, size: int, port: int, prefix: str) -> None:
    asyncio.run(_pg(server, f'DROP DATABASE IF EXISTS "{_run_database(prefix, size, port)}"'))


# --- servers ----------------------------------------------------------------------------------


class Server:
    def __init__(self, module: str, port: int, database_url: str, log: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BAOXUE_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("STAFF", "KEY", "ANONYMOUS", "LOGIN", "KEY_FAILURES"):
            env[f"BAOXUE_RATE_LIMIT_{name}"] = str(10**9)  # measure the API, not the limiter
        self.port = port
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"server on port {self.port} exited: {self.log.read_text()[-2000:]}"
                )
            try:
                httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise SystemExit(f"server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post(port: int, query: str, variables: dict[str, Any], token: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=300,
    )
    body = response.json()
    if body.get("errors"):
        raise SystemExit(f"request failed: {orjson.dumps(body['errors']).decode()}")
    return body["data"]


def floor_page(port: int, variables: dict[str, Any], token: str) -> dict[str, Any]:
    """One page of the floor's answer (``/floor``), as :func:`post` gives the API's."""
    response = httpx.post(
        f"http://127.0.0.1:{port}/floor",
        json={"query": "", "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=300,
    )
    response.raise_for_status()
    return response.json()["data"]


def login(port: int, user: tuple[str, str]) -> str:
    data = post(
        port,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
        "{ token errors { message } } }",
        {"u": user[0], "p": user[1]},
    )
    token = data["login"]["token"]
    if not token:
        raise SystemExit(f"login as {user[0]} failed: {data}")
    return token


def measure(
    port: int,
    token: str,
    bodies: list[dict[str, Any]],
    concurrency: int,
    duration: float,
    *,
    path: str = "/graphql",
    warmup: int = 2,
    min_requests: int = 5,
    max_requests: int = 10**9,
    versioned: bool = False,
) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "path": path,
        "headers": {"Authorization": f"Bearer {token}"},
        "bodies": bodies,
        "concurrency": concurrency,
        "duration": duration,
        "warmup": warmup,
        "min_requests": min_requests,
        "max_requests": max_requests,
        "versioned": versioned,
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=orjson.dumps(spec),
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    return orjson.loads(out.stdout)


def _without_cursor(data: dict[str, Any]) -> dict[str, Any]:
    children = dict(data["children"])
    children["pageInfo"] = {"hasNextPage": children["pageInfo"]["hasNextPage"]}
    return children


def first_difference(a: Any, b: Any, path: str = "") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r} ≠ {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: missing on one side"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items ≠ {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return ""
    return "" if a == b else f"{path}: {a!r} ≠ {b!r}"


def contact_bodies(port: int, token: str) -> list[dict[str, Any]]:
    """``recordContact`` on each of 100 open cases, at the version each has now."""
    open_cases = post(port, OPEN_CASE_IDS, {}, token)["cases"]["edges"]
    return [
        {
            "query": RECORD_CONTACT,
            "variables": {"caseId": e["node"]["id"], "version": e["node"]["version"]},
        }
        for e in open_cases
    ]


# --- one database and size --------------------------------------------------------------------


def run_one(args: argparse.Namespace, database: str, size: int) -> list[Measurement]:
    cache: Path = args.cache_dir
    existing = args.database_url is not None
    what = f"{args.database_url.split('@')[-1]} (as it is)" if existing else f"{size:,} pupils"
    print(f"\n== {database}, {what} (load average {load_average()})", flush=True)
    if existing:
        url = args.database_url
    elif database == "sqlite":
        url = sqlite_database(cache, size)
    else:
        url = postgres_database(cache, args.pg_server, size, args.port, args.pg_prefix)
    logs = cache / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    api = Server("bench.serve", args.port, url, logs / f"api-{database}-{size}.log")
    floor = Server("bench.floor", args.port + 1, url, logs / f"floor-{database}-{size}.log")
    results: list[Measurement] = []
    try:
        api.wait_ready("/healthz")
        floor.wait_ready("/")
        admin = login(args.port, ADMIN)
        township = login(args.port, TOWNSHIP)
        variables = {"code": args.jurisdiction}
        page = post(args.port, PAGE_OF_50, variables, admin)
        edges = page["children"]["edges"]
        print(f"  children at risk: {page['children']['totalCount']:,}", flush=True)
        floor_answer = httpx.post(
            f"http://127.0.0.1:{args.port + 1}/floor",
            json={"query": "", "variables": variables},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=60,
        ).json()
        difference = first_difference(_without_cursor(page), _without_cursor(floor_answer["data"]))
        print(
            "  floor answer: "
            + ("the same data as the API's" if not difference else f"DIFFERS at {difference}"),
            flush=True,
        )
        cursors = [None]
        cursor = page["children"]["pageInfo"]["endCursor"]
        for _ in range(4):  # a few pages, so that not every request reads the same rows
            cursors.append(cursor)
            more = post(args.port, PAGE_OF_50, {**variables, "after": cursor}, admin)
            cursor = more["children"]["pageInfo"]["endCursor"]
            if cursor is None:
                break
        page_bodies = [
            {"query": PAGE_OF_50, "variables": {**variables, "after": c}} for c in cursors
        ]
        # The same pages of the floor, by its own cursors: the API's are sealed keyset
        # cursors (core/api/cursors.py), which the floor's offsets cannot read.
        floor_cursors: list[str | None] = [None]
        for _ in cursors[1:]:
            more = floor_page(args.port + 1, {**variables, "after": floor_cursors[-1]}, admin)
            floor_cursors.append(more["children"]["pageInfo"]["endCursor"])
        floor_bodies = [
            {"query": "", "variables": {**variables, "after": c}} for c in floor_cursors
        ]
        file_bodies = [
            {"query": CHILD_FILE, "variables": {"child": e["node"]["id"]}} for e in edges[:20]
        ]
        town_bodies = [{"query": TOWN_CASES, "variables": {}}]
        dashboard_bodies = [{"query": DASHBOARD, "variables": variables}]
        quick = args.quick
        duration = 3.0 if quick else args.duration
        rounds = 2 if quick else args.rounds
        plans: list[tuple[str, str, Any, dict[str, Any]]] = [
            ("file", admin, file_bodies, {}),
            ("town", township, town_bodies, {}),
            # seconds a request at 100,000 pupils: no warm-up, one round of the clients
            ("dashboard", admin, dashboard_bodies, {"warmup": 0, "min_requests": 1}),
            ("contact", admin, lambda: contact_bodies(args.port, admin), {"versioned": True}),
        ]
        for concurrency in args.concurrency:
            if "page50" in args.scenarios:
                ours = Measurement("page50", "api", concurrency)
                hand = Measurement("page50", "floor", concurrency)
                for _ in range(rounds):  # A, B, A, B: drift in the machine's load hits both
                    timed(
                        ours, api.process.pid, args.port, admin, page_bodies, concurrency, duration
                    )
                    timed(
                        hand,
                        floor.process.pid,
                        args.port + 1,
                        admin,
                        floor_bodies,
                        concurrency,
                        duration,
                        path="/floor",
                    )
                ours.rss_mib = peak_rss_mib(api.process.pid)
                hand.rss_mib = peak_rss_mib(floor.process.pid)
                for m in (ours, hand):
                    print("  " + m.line(), flush=True)
                print(
                    f"  page50 c={concurrency}: p50 ratio {ours.p50 / hand.p50:.2f}x the floor, "
                    f"req/s ratio {ours.rps / hand.rps:.2f}, CPU per request "
                    f"{ours.cpu_ms / hand.cpu_ms:.2f}x (load average {load_average()})",
                    flush=True,
                )
                results += [ours, hand]
            for name, token, bodies, options in plans:
                if name not in args.scenarios:
                    continue
                if name == "dashboard":
                    options = {**options, "max_requests": concurrency}
                m = Measurement(name, "api", concurrency)
                if callable(bodies):
                    bodies = bodies()
                timed(
                    m, api.process.pid, args.port, token, bodies, concurrency, duration, **options
                )
                m.rss_mib = peak_rss_mib(api.process.pid)
                print("  " + m.line(), flush=True)
                for sample in m.samples[:2]:
                    print(f"    error: {sample[:300]}", flush=True)
                results.append(m)
    finally:
        api.stop()
        floor.stop()
        if database == "postgres" and not existing:
            drop_postgres_copy(args.pg_server, size, args.port, args.pg_prefix)
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="pupils per demo county")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--concurrency", default="1,10")
    parser.add_argument(
        "--scenarios",
        default="page50,file,town,dashboard,contact",
        help="which to run (comma-separated)",
    )
    parser.add_argument("--quick", action="store_true", help="3 s per measurement, 2 rounds")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds against the floor")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "baoxue-bench",
    )
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("BAOXUE_BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--pg-prefix",
        default="baoxue_bench",
        help="name prefix of the PostgreSQL databases the bench makes (template and copies)",
    )
    parser.add_argument("--port", type=int, default=8150, help="the API; the floor gets +1")
    parser.add_argument(
        "--database-url",
        help="measure an existing demo database instead of building one: no mutation is "
        "sent, but logging in and the audit of personal-data reads write rows, so give it a "
        "copy (CREATE DATABASE … TEMPLATE), never a shared original",
    )
    parser.add_argument(
        "--jurisdiction",
        default=JURISDICTION,
        help="the county code of the page of 50 (with --database-url: the demo's county)",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.databases = [d.strip() for d in args.databases.split(",")]
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.scenarios = {s.strip() for s in args.scenarios.split(",")}
    if args.database_url:
        args.database_url = args.database_url.replace("postgresql://", "postgres://", 1)
        args.databases = ["sqlite" if args.database_url.startswith("sqlite") else "postgres"]
        args.sizes = [0]
        args.scenarios.discard("contact")  # a write: never on a database measured as it is
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"commit: {commit()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"load average at start: {load_average()}")
    for size in args.sizes:
        for database in args.databases:
            run_one(args, database, size)
    print(f"\nload average at end: {load_average()}")


if __name__ == "__main__":
    main()
