"""Service load (`make bench-service`): single POST /v1/decide per request against a real server.

For each database (SQLite in a temporary directory, PostgreSQL from $COMPUTEGATE_BENCH_POSTGRES_URL)
a fresh `computegate serve --workers N` runs on 127.0.0.1 with auth on; a bounded client keeps C
connections busy (each sends its next request only after the previous answer: closed loop) for a
fixed time after a warm-up, and reports requests/s and p50/p99 latency. Every 200 means the decision
is committed to the audit log. The same run times one list of 1,000 decisions per database, and the
baseline of one connection, so numbers are comparable within the run.

The client is a minimal HTTP/1.1 keep-alive client on asyncio (httpx would spend more CPU than the
server on this 2-core machine); it runs in this process, on the same cores as the server.
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
from typing import Any

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
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    i = 0
    while limit is None or i < limit:
        t0 = time.perf_counter()
        if t0 >= stop:
            break
        writer.write(payloads[i % len(payloads)])
        i += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        t1 = time.perf_counter()
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
        elif t0 >= start:
            latencies.append(t1 - t0)
    writer.close()
    return errors


async def _load(
    port: int, payloads: list[bytes], connections: int, warmup: float, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    start = time.perf_counter() + warmup
    stop = start + seconds
    errors = await asyncio.gather(
        *(_connection(port, payloads, start, stop, latencies) for _ in range(connections))
    )
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "connections": connections,
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": sum(errors),
    }


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
    databases: dict[str, str], workers: list[int], connections: list[int], seconds: float
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
                    result = asyncio.run(_load(port, payloads, c, warmup=2.0, seconds=seconds))
                    cpu = _cpu_seconds(proc.pid) - cpu  # over warm-up and measurement alike
                    per_request = cpu / (result["requests"] * (seconds + 2.0) / seconds)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="server processes, comma-separated")
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        databases = {"SQLite": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        pg = os.environ.get("COMPUTEGATE_BENCH_POSTGRES_URL")
        if pg:
            databases["PostgreSQL"] = pg
        workers = [int(w) for w in args.workers.split(",")]
        rows = run(databases, workers, [int(c) for c in args.connections.split(",")], args.seconds)
    print(f"\nload average before: {load[0]:.1f} (this machine has {os.cpu_count()} cores)")
    print(
        "| database | workers | connections | requests/s | p50 ms | p99 ms "
        "| server CPU ms/request | server cores used | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if "rps" in r:
            print(
                f"| {r['database']} | {r['workers']} | {r['connections']} | {r['rps']:,.0f} "
                f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_ms']:.2f} "
                f"| {r['rps'] * r['cpu_ms'] / 1000:.2f} | {r['errors']} |"
            )
    for r in rows:
        if "list_s" in r:
            print(
                f"{r['database']}, {r['workers']} worker(s): one list of 1,000 decisions "
                f"in {r['list_s']:.2f} s"
            )


if __name__ == "__main__":
    main()
