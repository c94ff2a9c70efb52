"""Service load (`make bench-service`): single POST /v1/decide per request against a real server.

`python benchmarks/service_load.py` prints, in one run of about two minutes, the issue's four
configurations — SQLite and PostgreSQL ($COMPUTEGATE_BENCH_POSTGRES_URL), 8 and 32 connections —
with one connection on each database as the baseline of the same run. For each database a fresh
`computegate serve --workers N` runs on 127.0.0.1 with auth on; the client keeps C keep-alive
connections busy, closed loop (each sends its next request only after the previous answer), for a
fixed time after a warm-up, and reports requests/s and p50/p99 latency. Every 200 means the decision
is committed to the audit log. The same run times one list of 1,000 decisions per database.

The client is lean so that it measures the server, not itself: pre-encoded requests, raw asyncio
protocols on uvloop (no HTTP library, no per-request objects beyond the latency sample), in one
process. It shares the machine's cores with the server, so it reports its own CPU per request and
the cores it used next to the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import httpx
import sqlalchemy as sa

REQUEST = {
    "kind": "export",
    "date": "2026-01-16",
    "item": "H200",
    "to_country": "CN",
    "end_user": {"name": "Shanghai customer", "headquarters": "CN"},
}
ITEMS = ["H200", "H20", "B200", "MI325X", "H100", "B30A"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _payloads(key: str, port: int) -> list[bytes]:
    out = []
    for i in range(60):
        body = json.dumps({**REQUEST, "item": ITEMS[i % len(ITEMS)], "quantity": i + 1}).encode()
        head = (
            f"POST /v1/decide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        out.append(head + body)
    return out


class _Client(asyncio.Protocol):
    """One keep-alive connection: sends a request, reads the whole answer, sends the next."""

    def __init__(
        self,
        payloads: list[bytes],
        start: float,
        stop: float,
        latencies: list[float],
        limit: int | None,
        done: asyncio.Future[int],
    ) -> None:
        self.payloads, self.start, self.stop, self.limit = payloads, start, stop, limit
        self.latencies, self.done = latencies, done
        self.buffer = b""
        self.sent = 0
        self.errors = 0
        self.t0 = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.t0 = time.perf_counter()
        if self.t0 >= self.stop or (self.limit is not None and self.sent >= self.limit):
            self.transport.close()
            if not self.done.done():
                self.done.set_result(self.errors)
            return
        self.transport.write(self.payloads[self.sent % len(self.payloads)])
        self.sent += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        at = head.lower().find(b"content-length:")
        line_end = head.find(b"\r\n", at)
        length = int(head[at + 15 : line_end if line_end >= 0 else None]) if at >= 0 else 0
        if len(self.buffer) < end + 4 + length:
            return
        self.buffer = self.buffer[end + 4 + length :]
        t1 = time.perf_counter()
        if not head.startswith(b"HTTP/1.1 200"):
            self.errors += 1
        elif self.t0 >= self.start:
            self.latencies.append(t1 - self.t0)
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("the server closed the connection"))


async def _connection(
    port: int,
    payloads: list[bytes],
    start: float,
    stop: float,
    latencies: list[float],
    limit: int | None = None,
) -> int:
    """One keep-alive connection sending the payloads in turn until `stop` (or `limit` requests);
    returns how many answers were not 200."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[int] = loop.create_future()
    await loop.create_connection(
        lambda: _Client(payloads, start, stop, latencies, limit, done), "127.0.0.1", port
    )
    return await done


def _event_loop() -> Any:
    """uvloop's loop when installed (it is, with the service): the client's own cost is lower."""
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:  # pragma: no cover - the service depends on uvloop
        return asyncio.new_event_loop


async def _load(
    port: int, payloads: list[bytes], connections: int, warmup: float, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    start = time.perf_counter() + warmup
    stop = start + seconds
    cpu = time.process_time()
    errors = await asyncio.gather(
        *(_connection(port, payloads, start, stop, latencies) for _ in range(connections))
    )
    cpu = time.process_time() - cpu
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    answered = len(latencies) * (seconds + warmup) / seconds  # over warm-up and measurement
    return {
        "connections": connections,
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": sum(errors),
        "client_cpu_ms": cpu / answered * 1000,
    }


def _measure(
    port: int, payloads: list[bytes], connections: int, warmup: float, seconds: float
) -> dict[str, Any]:
    with asyncio.Runner(loop_factory=_event_loop()) as runner:
        return runner.run(_load(port, payloads, connections, warmup, seconds))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the server and its worker processes so far."""
    pids = [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _serve(url: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "computegate", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--database-url", url]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server on {url} did not start")


def _key(url: str, label: str, env: dict[str, str]) -> str:
    cmd = [sys.executable, "-m", "computegate", "keys", "create", label, "--database-url", url]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout.strip()


def _fresh_postgres(url: str) -> None:
    from computegate.store.models import metadata

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def _list_of_1000(port: int, key: str) -> float:
    body = [{**REQUEST, "item": ITEMS[i % len(ITEMS)], "quantity": i + 1} for i in range(1000)]
    with httpx.Client(timeout=60) as http:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = http.post(
                f"http://127.0.0.1:{port}/v1/decide", json=body, headers={"X-API-Key": key}
            )
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200 and len(r.json()) == 1000, r.text[:200]
    return min(times)


def run(
    databases: dict[str, str],
    workers: list[int],
    connections: list[int],
    seconds: float,
    warmup: float,
) -> list[dict[str, Any]]:
    rows = []
    env = {
        **os.environ,
        "COMPUTEGATE_AUDIT_KEY": str(Path(tempfile.gettempdir()) / "bench-key.pem"),
    }
    for name, url in databases.items():
        for w in workers:
            if url.startswith("postgresql"):
                _fresh_postgres(url)
            key = _key(url, f"bench-{w}", env)
            port = _free_port()
            proc = _serve(url, port, w, env)
            try:
                payloads = _payloads(key, port)
                for c in [1, *connections]:
                    cpu = _cpu_seconds(proc.pid)
                    result = _measure(port, payloads, c, warmup, seconds)
                    cpu = _cpu_seconds(proc.pid) - cpu  # over warm-up and measurement alike
                    per_request = cpu / (result["requests"] * (seconds + warmup) / seconds)
                    rows.append(
                        {"database": name, "workers": w, **result, "cpu_ms": per_request * 1000}
                    )
                    print(json.dumps(rows[-1]), flush=True)
                rows.append({"database": name, "workers": w, "list_s": _list_of_1000(port, key)})
                print(json.dumps(rows[-1]), flush=True)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    return rows


TARGET_RPS, TARGET_P99_MS = 1_000, 50.0  # the target, at 8 and at 32 connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2", help="server processes, comma-separated")
    parser.add_argument("--connections", default="8,32", help="besides the 1-connection baseline")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured, per row")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured, before each row")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("COMPUTEGATE_BENCH_POSTGRES_URL"),
        help="an empty PostgreSQL database to use (default $COMPUTEGATE_BENCH_POSTGRES_URL); "
        "without one, SQLite only",
    )
    args = parser.parse_args()
    began, load = time.time(), os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        databases = {"SQLite": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        if args.postgres_url:
            databases["PostgreSQL"] = args.postgres_url
        workers = [int(w) for w in args.workers.split(",")]
        connections = [int(c) for c in args.connections.split(",")]
        rows = run(databases, workers, connections, args.seconds, args.warmup)
    after = os.getloadavg()
    print(
        f"\nload average {load[0]:.1f} before, {after[0]:.1f} after ({os.cpu_count()} cores); "
        f"{time.time() - began:.0f} s in all"
    )
    print(
        "| database | workers | connections | requests/s | p50 ms | p99 ms | server CPU ms/request "
        "| server cores used | client CPU ms/request | client cores used | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    measured = [r for r in rows if "rps" in r]
    for r in measured:
        print(
            f"| {r['database']} | {r['workers']} | {r['connections']} | {r['rps']:,.0f} "
            f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_ms']:.2f} "
            f"| {r['rps'] * r['cpu_ms'] / 1000:.2f} | {r['client_cpu_ms']:.3f} "
            f"| {r['rps'] * r['client_cpu_ms'] / 1000:.2f} | {r['errors']} |"
        )
    for r in rows:
        if "list_s" in r:
            print(
                f"{r['database']}, {r['workers']} worker(s): one list of 1,000 decisions "
                f"in {r['list_s']:.2f} s"
            )
    judged = [r for r in measured if r["connections"] in (8, 32)]
    met = [r for r in judged if r["rps"] >= TARGET_RPS and r["p99_ms"] < TARGET_P99_MS]
    print(
        f"target (>= {TARGET_RPS:,}/s with p99 < {TARGET_P99_MS:.0f} ms at 8 and 32 connections): "
        f"met by {len(met)} of {len(judged)} rows"
    )


if __name__ == "__main__":
    main()
