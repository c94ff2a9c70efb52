"""Service soak (`make bench-service`): is memory flat over a long run of mixed requests?

One `computegate serve` (SQLite, auth on) gets --requests mixed requests from 8 connections: single
decisions with ever-new names, lists of 10, screenings of ever-new names, classifications, audit
pages, unknown keys (401) and bad bodies (422). The server's resident memory
is read from /proc after each tenth of the run; flat means the last reading is within a few percent
of the one after warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
from pathlib import Path

from benchmarks.service_load import REQUEST, _connection, _free_port, _key, _serve


def _rss_mb(pid: int) -> float:
    pids = [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _payloads(key: str, round_: int) -> list[bytes]:
    def post(path: str, body: object, api_key: str = key) -> bytes:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {api_key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode() + data

    def get(path: str) -> bytes:
        return f"GET {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\n\r\n".encode()

    out = []
    for i in range(50):
        n = round_ * 50 + i
        out.append(
            post(
                "/v1/decide",
                {**REQUEST, "end_user": {"name": f"Customer {n}", "headquarters": "CN"}},
            )
        )
        out.append(post("/v1/decide", [{**REQUEST, "quantity": q + 1} for q in range(10)]))
        out.append(post("/v1/screen", {"name": f"Trading company {n}", "country": "CN"}))
        out.append(post("/v1/classify", {"item": "H200", "date": "2026-01-16"}))
        out.append(get(f"/v1/audit?limit=20&offset={n % 100}"))
        out.append(post("/v1/decide", REQUEST, api_key=f"cg_unknown{n}"))
        out.append(post("/v1/decide", {**REQUEST, "to_country": "XX"}))
        out.append(post("/v1/decide", b'{"item": ' * 40 + b"1" + b"}" * 40))
    return out


async def _round(port: int, payloads: list[bytes], requests: int, connections: int) -> None:
    """Each connection sends its share of the requests, starting at a different point of the mix."""
    share = requests // connections
    await asyncio.gather(
        *(
            _connection(port, payloads[c * 7 :] + payloads[: c * 7], 0.0, float("inf"), [], share)
            for c in range(connections)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'soak.db'}"
        env = {**os.environ, "COMPUTEGATE_AUDIT_KEY": str(Path(tmp) / "key.pem")}
        key = _key(url, "soak", env)
        port = _free_port()
        proc = _serve(url, port, 1, env)
        readings = []
        try:
            step = args.requests // 10
            for r in range(10):
                asyncio.run(_round(port, _payloads(key, r), step, 8))
                readings.append(((r + 1) * step, _rss_mb(proc.pid)))
                print(
                    f"{readings[-1][0]:>8,} requests: server RSS {readings[-1][1]:,.0f} MB",
                    flush=True,
                )
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    base, last = readings[1][1], readings[-1][1]
    print(
        f"RSS after warm-up ({readings[1][0]:,}) {base:,.0f} MB, at the end ({readings[-1][0]:,}) {last:,.0f} MB: {100 * (last - base) / base:+.1f}%"
    )


if __name__ == "__main__":
    main()
