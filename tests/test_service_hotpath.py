"""The decide hot path: parsed once, validated once, keys cached but revocable, commits grouped as
configured."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from computegate.model.requests import ExportRequest
from computegate.store import keys as keys_module
from computegate.store.audit import AuditLog, Entry, GroupCommit
from computegate.store.keys import KeyCache, create_key, revoke_key, rotate_key
from computegate.store.models import audit_log
from tests.conftest import Client
from tests.test_service import H200_CN


def test_a_decision_is_parsed_once_and_validated_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard's orjson parse reaches the route (the standard library's parser is never asked),
    and the engine takes the API's validated request as it is (no second validation)."""
    c, auth = client
    import starlette.requests

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("parsed or validated a second time")

    monkeypatch.setattr(starlette.requests, "json", SimpleNamespace(loads=refuse))
    monkeypatch.setattr(ExportRequest, "model_validate", refuse)
    r = c.post("/v1/decide", json=H200_CN, headers=auth)
    assert r.status_code == 200 and r.json()["outcome"] == "license_required"
    r = c.post("/v1/decide", json=[H200_CN, {**H200_CN, "to_country": "SG"}], headers=auth)
    assert r.status_code == 200 and len(r.json()) == 2
    r = c.post("/v1/decide", json={**H200_CN, "to_country": "XX"}, headers=auth)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "to_country"]


def test_the_idempotency_key_header_is_checked_and_documented(client: Client) -> None:
    c, auth = client
    for bad in ("two words", "x" * 201, "é".encode()):
        r = c.post("/v1/decide", json=H200_CN, headers={**auth, "Idempotency-Key": bad})
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    first = c.post("/v1/decide", json=H200_CN, headers={**auth, "Idempotency-Key": "order-7"})
    again = c.post("/v1/decide", json=H200_CN, headers={**auth, "Idempotency-Key": "order-7"})
    assert first.status_code == again.status_code == 200
    assert first.json()["audit_id"] == again.json()["audit_id"]
    assert c.post("/v1/decide", json=H200_CN).status_code == 401
    paths = c.get("/openapi.json").json()["paths"]
    for path in ("/v1/decide", "/v1/screen"):
        operation = paths[path]["post"]
        assert operation["security"] == [{"APIKeyHeader": []}]
        assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"]
        assert "requestBody" in operation


def test_revoking_or_rotating_a_key_works_at_once_in_this_process(client: Client) -> None:
    c, auth = client
    engine = c.app.state.service.engine  # type: ignore[attr-defined]
    other = create_key(engine, "other")
    assert c.post("/v1/decide", json=H200_CN, headers=auth).status_code == 200
    assert c.post("/v1/decide", json=H200_CN, headers={"X-API-Key": other}).status_code == 200
    revoke_key(engine, "tests")  # no waiting for the cache to expire
    assert c.post("/v1/decide", json=H200_CN, headers=auth).status_code == 401
    assert c.post("/v1/decide", json=H200_CN, headers={"X-API-Key": other}).status_code == 200
    new = rotate_key(engine, "other")
    assert c.post("/v1/decide", json=H200_CN, headers={"X-API-Key": other}).status_code == 401
    assert c.post("/v1/decide", json=H200_CN, headers={"X-API-Key": new}).status_code == 200


def test_another_process_revoking_is_noticed_within_the_cache_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from computegate.store.db import make_engine, migrate
    from computegate.store.models import api_keys

    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    migrate(engine)
    token = create_key(engine, "k")
    cache = KeyCache(engine)
    clock = [100.0]
    monkeypatch.setattr(keys_module.time, "monotonic", lambda: clock[0])
    found = cache.caller(token)
    assert found is not None and found.label == "k"
    with engine.begin() as conn:  # what `keys revoke` in another process does
        conn.execute(sa.update(api_keys).values(revoked=True))
    clock[0] += keys_module.CACHE_SECONDS / 2
    assert cache.caller(token) is not None  # still remembered
    clock[0] += keys_module.CACHE_SECONDS
    assert cache.caller(token) is None


def test_the_key_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from computegate.store.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    migrate(engine)
    token = create_key(engine, "k")
    monkeypatch.setattr(keys_module, "CACHE_ENTRIES", 5)
    cache = KeyCache(engine)
    assert cache.caller(token) is not None
    for n in range(50):
        assert cache.caller(f"cg_unknown{n}") is None
        assert cache.caller(token) is not None  # the busy key stays, the unknown ones go
    assert len(cache._seen) <= 5


def _entry(n: int) -> Entry:
    return Entry("decide", {"n": n}, {"n": n}, None, [], [], "test", "tests")


@pytest.mark.parametrize(("group", "commits"), [(GroupCommit(1, 0), 6), (GroupCommit(3, 500), 2)])
def test_group_commit_follows_its_settings(
    tmp_path: Path, group: GroupCommit, commits: int
) -> None:
    """Six appends submitted together: one transaction each with max_entries=1; with room for
    three and time to wait for them, two transactions (each group shares its commit time)."""
    from computegate.store.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    log = AuditLog(engine, group)
    futures = [log.submit([_entry(n)]) for n in range(6)]
    assert [f.result(timeout=30)[0]["n"] for f in futures] == list(range(6))
    with engine.connect() as conn:
        times = conn.execute(sa.select(sa.func.count(sa.distinct(audit_log.c.created_at))))
        assert times.scalar_one() == commits


def test_appends_queued_while_another_writer_holds_the_log_join_the_waiting_group(
    tmp_path: Path,
) -> None:
    """While another process's writer holds the log, this writer waits with one append in hand;
    the appends queued meanwhile go into the same transaction, not the next turn."""
    from computegate.store.db import WriterLock, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    log = AuditLog(engine, GroupCommit(2_000, 0))
    with WriterLock(engine):  # as another worker process would
        futures = [log.submit([_entry(0)])]
        time.sleep(0.3)  # the writer has taken this append and waits for the lock
        futures += [log.submit([_entry(n)]) for n in range(1, 5)]
    assert [f.result(timeout=30)[0]["n"] for f in futures] == list(range(5))
    with engine.connect() as conn:
        times = conn.execute(sa.select(sa.func.count(sa.distinct(audit_log.c.created_at))))
        assert times.scalar_one() == 1


def test_group_commit_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GroupCommit.from_environment() == GroupCommit()
    monkeypatch.setenv("COMPUTEGATE_GROUP_MAX_ENTRIES", "50")
    monkeypatch.setenv("COMPUTEGATE_GROUP_MAX_WAIT_MS", "2.5")
    assert GroupCommit.from_environment() == GroupCommit(50, 2.5)
    monkeypatch.setenv("COMPUTEGATE_GROUP_MAX_ENTRIES", "0")
    with pytest.raises(ValueError, match="max_entries"):
        GroupCommit.from_environment()


def test_concurrent_lookups_racing_a_revocation_keep_nothing_stale(tmp_path: Path) -> None:
    from computegate.store.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    migrate(engine)
    token = create_key(engine, "k")
    cache = KeyCache(engine)
    stop = threading.Event()

    def look() -> None:
        while not stop.is_set():
            cache.caller(token)

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        revoke_key(engine, "k")
        assert cache.caller(token) is None
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert cache.caller(token) is None


def test_screening_caches_stay_bounded_in_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ever-new names must not grow memory: past the service's limit the name caches are emptied."""
    from computegate.screening.memo import bound_name_caches, name_caches
    from computegate.surfaces import service as service_module
    from computegate.surfaces.service import Service

    svc = Service(f"sqlite:///{tmp_path / 's.db'}")
    for name in ("Acme Trading", "Beta Shipping", "Gamma Holdings"):
        svc.submit_screen(name, "CN", "tests").result()
    sizes = [c.cache_info().currsize for c in name_caches()]
    assert max(sizes) >= 3
    assert not bound_name_caches(limit=max(sizes))
    assert bound_name_caches(limit=2)
    assert all(c.cache_info().currsize == 0 for c in name_caches())
    monkeypatch.setattr(service_module, "NAME_CACHE_LIMIT", 10)
    for n in range(100):
        svc.submit_screen(f"Trading company {n}", "CN", "tests").result()
        assert max(c.cache_info().currsize for c in name_caches()) <= 10


def test_sqlite_writers_queue_on_the_file_lock_and_postgres_needs_none(tmp_path: Path) -> None:
    """Two writers (as in two worker processes) on one SQLite file: the second waits for the first
    to release, then runs; an in-memory database has no file to lock and passes straight through."""
    from computegate.store.db import WriterLock, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    order: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def first() -> None:
        with WriterLock(engine):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        inside.wait(5)
        with WriterLock(engine):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(5)
    time.sleep(0.2)  # the second writer reaches the lock while the first holds it
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["first in", "first out", "second in"]
    assert (tmp_path / "w.db.writer-lock").exists()
    with WriterLock(make_engine("sqlite:///:memory:")):
        pass
