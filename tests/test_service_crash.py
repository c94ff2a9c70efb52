"""kill -9 in the middle of single decisions and of lists: nothing acknowledged is lost, and a retry
with the same Idempotency-Key gets the same answer without writing anything twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from computegate.store.db import make_engine
from computegate.store.transparency import verify
from tests.test_service import H200_CN, _free_port, _wait, fresh_postgres, need


def _database(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.db'}"
    url = need("COMPUTEGATE_TEST_POSTGRES_URL")
    fresh_postgres(url)
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_kill_9_during_a_burst_and_a_list_then_retry(kind: str, tmp_path: Path) -> None:
    url = _database(kind, tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "computegate", "serve", "--no-auth", "--port", str(port)]
    cmd += ["--database-url", url]

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(base)
        return proc

    sent: dict[str, Any] = {}  # idempotency key -> body, for everything sent
    acked: dict[str, list[int]] = {}  # key -> audit ids, for everything acknowledged
    lock = threading.Lock()
    stop = threading.Event()

    def client(name: str, list_size: int) -> None:
        with httpx.Client(timeout=10) as http:
            for i in range(10_000):
                if stop.is_set():
                    return
                key = f"{name}-{i}"
                body: Any = (
                    [{**H200_CN, "quantity": q} for q in range(1, list_size + 1)]
                    if list_size
                    else {**H200_CN, "quantity": i + 1}
                )
                with lock:
                    sent[key] = body
                try:
                    r = http.post(base + "/v1/decide", json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    out = r.json()
                    with lock:
                        acked[key] = [o["audit_id"] for o in (out if list_size else [out])]

    proc = start()
    clients = [threading.Thread(target=client, args=(f"one{t}", 0)) for t in range(4)]
    clients += [threading.Thread(target=client, args=(f"list{t}", 250)) for t in range(2)]
    for c in clients:
        c.start()
    deadline = time.time() + 60
    while (
        len(acked) < 40 or not any(k.startswith("list") for k in acked)
    ) and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    stop.set()
    for c in clients:
        c.join(timeout=20)
    assert any(k.startswith("list") for k in acked), "no list was acknowledged before the kill"

    proc = start()
    try:
        with httpx.Client(timeout=30) as http:
            for audit_ids in acked.values():
                for audit_id in audit_ids:
                    assert http.get(f"{base}/v1/audit/{audit_id}").status_code == 200, audit_id
            for key, body in sent.items():  # every request retried, acknowledged or not
                r = http.post(base + "/v1/decide", json=body, headers={"Idempotency-Key": key})
                assert r.status_code == 200, r.text
                out = r.json()
                ids = [o["audit_id"] for o in (out if isinstance(out, list) else [out])]
                if key in acked:
                    assert ids == acked[key], key
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
    expected = sum(len(b) if isinstance(b, list) else 1 for b in sent.values())
    assert rows == expected  # each request recorded exactly once: no loss, no duplicate
    assert verify(engine).ok
    engine.dispose()
