"""The HTTP API under /v1 and the web page, on the same domain types the library uses."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from computegate.engine import Engine
from computegate.io.errors import ComputegateError, InputError
from computegate.licensing.coverage import state_json
from computegate.licensing.impact import RegimeChange, impact
from computegate.licensing.model import Shipment
from computegate.model.requests import Decision, ExportRequest, RemoteAccessRequest
from computegate.rules import Classification, overlay_sets
from computegate.screening import ScreeningResult
from computegate.store.audit import IdempotencyConflict
from computegate.store.keys import SCOPES, Caller
from computegate.store.licences import LicenceStore
from computegate.store.proofs import row_receipt
from computegate.surfaces.api.guard import LIMITS, BodyGuard, ParsedBodyRoute, SecurityHeaders
from computegate.surfaces.api.page import DOCS, PAGE
from computegate.surfaces.api.scenarios import scenario_index
from computegate.surfaces.service import Service, log_answers_to_stderr

MAX_DRAWS = 20_000
MAX_LIST = 1_000
INLINE = 8  # decisions computed on the event loop itself (each takes a fraction of a millisecond)
CHART_CACHE = 32  # rendered catalog charts kept (one per date asked for)
SHAPE_ERRORS = {"list_type", "model_attributes_type", "dict_type"}
REQUEST_KINDS = {"export", "reexport", "transfer", "remote_access"}
AnyRequest = Annotated[ExportRequest | RemoteAccessRequest, Field(discriminator="kind")]
CHALLENGE = {"WWW-Authenticate": 'APIKey realm="computegate", header="X-API-Key"'}

EXPORT_EXAMPLE = {
    "kind": "export",
    "date": "2026-01-16",
    "item": "H200",
    "quantity": 500,
    "to_country": "CN",
    "end_user": {"name": "Shanghai customer", "headquarters": "CN"},
}


class FastJSON(JSONResponse):
    """JSON rendered by orjson (several times faster than the standard library on decisions)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class Receipt(BaseModel):
    """Proof that the answer is in the audit log: RFC 9162 inclusion proof for the leaf."""

    leaf_index: int
    tree_size: int
    root_hash: str
    leaf_hash: str
    inclusion_proof: list[str]


class AuditedDecision(Decision):
    audit_id: int = Field(description="Row in the audit log that records this decision")
    receipt: Receipt


class AuditedScreening(ScreeningResult):
    audit_id: int = Field(description="Row in the audit log that records this screening")
    receipt: Receipt


class WhatifRow(BaseModel):
    overlays: list[str]
    outcome: str
    review_policy: str | None
    audit_id: int
    decision: Decision


class ClassifyBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"item": "H200", "date": "2026-01-16"}]}
    )
    item: str | dict[str, Any] = Field(description="Catalog name or raw specs")
    date: dt.date = Field(default_factory=dt.date.today)
    overlays: list[str] = Field(default_factory=list)


class ScreenBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "华为技术有限公司", "country": "CN"}]},
    )
    name: str = Field(min_length=1, max_length=500)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    kind: Literal["entity", "person", "vessel"] | None = Field(
        default=None, description="What the party is: only list entries of that kind can hit"
    )


class ImpactBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date | None = Field(default=None, description="Re-decide every order on this date")
    overlays: list[str] = Field(default_factory=list, max_length=10)
    orders: list[dict[str, Any]] = Field(min_length=1, max_length=1_000)


class WhatifBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: AnyRequest


class SimulateBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scenarios": ["full-ban", "h200-allowed"],
                    "first_year": 2024,
                    "last_year": 2030,
                    "draws": 2000,
                }
            ]
        },
    )
    scenarios: list[str] = Field(min_length=1, max_length=10, description="Shipped scenario names")
    first_year: int = Field(default=2024, ge=2022, le=2040)
    last_year: int = Field(default=2030, ge=2022, le=2040)
    draws: int = Field(default=2_000, ge=100, le=MAX_DRAWS)
    seed: int = Field(default=20260115, ge=0, le=2**32 - 1)
    basis: str | None = Field(default=None, description="e.g. b300e:tpp, h100e:dense_8bit")
    profile: str = Field(default="default", description="Assumptions: default or ifp-cfr")


def _readable(error: Any) -> dict[str, Any]:
    """A validation error with pydantic's union bookkeeping removed from the field path."""
    loc: list[Any] = []
    for part in error.get("loc", ()):
        text = str(part)
        if text.startswith(("tagged-union[", "list[", "function-", "union[", "json-or-python[")):
            continue
        if text in REQUEST_KINDS and loc and (loc[-1] == "body" or isinstance(loc[-1], int)):
            continue  # the discriminator value pydantic inserts after the union
        loc.append(part)
    msg = str(error.get("msg", "")).removeprefix("Value error, ")
    return {"loc": loc, "msg": msg, "type": error.get("type", "value_error")}


def _simulate(body: SimulateBody, law: Engine) -> Any:
    """A run on the service's Engine (its regime and catalog); rules answers are reused across runs."""
    from computegate.simulation import BASES, Context, resolve_scenario, shipped_scenarios, simulate

    if body.last_year < body.first_year:
        raise InputError("last_year", "must not be before first_year")
    unknown = [s for s in body.scenarios if s not in shipped_scenarios()]
    if unknown:
        raise InputError(
            "scenarios",
            f"unknown scenario {unknown[0]!r} (shipped: {', '.join(shipped_scenarios())})",
        )
    years = list(range(body.first_year, body.last_year + 1))
    if body.basis is not None and body.basis not in BASES:
        raise InputError("basis", f"unknown basis {body.basis!r} (known: {', '.join(BASES)})")
    chosen = [resolve_scenario(s, body.profile) for s in body.scenarios]
    return simulate(chosen, years, body.draws, body.seed, body.basis, Context(law))


class Charts:
    """matplotlib is not thread-safe: one render at a time per process, a bounded cache of results."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[dt.date, bytes] = OrderedDict()

    def catalog(self, service: Service, date: dt.date) -> bytes:
        import tempfile

        from computegate.rules import classify
        from computegate.surfaces.charts import plot_catalog

        with self._lock:
            if date in self._cache:
                self._cache.move_to_end(date)
                return self._cache[date]
            regime = service.core.regime(date)
            items = [classify(chip, regime, catalog=service.catalog) for chip in service.catalog]
            with tempfile.TemporaryDirectory() as tmp:
                svg = plot_catalog(items, regime, Path(tmp) / "catalog.svg").read_bytes()
            self._cache[date] = svg
            if len(self._cache) > CHART_CACHE:
                self._cache.popitem(last=False)
            return svg

    def fan(self, results: Any) -> bytes:
        import tempfile

        from computegate.surfaces.simulation_charts import fan_chart

        with self._lock, tempfile.TemporaryDirectory() as tmp:
            svg = next(p for p in fan_chart(results, Path(tmp)) if p.suffix == ".svg")
            return svg.read_bytes()


api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="API key (computegate keys create LABEL); each key has scopes.",
)


NO_AUTH = Caller("no-auth", frozenset(SCOPES))
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
IDEMPOTENCY_PARAMETER = {  # the header as the OpenAPI declares it on decide and screen
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retry-safe key: the same key and request give the same answer and no new audit rows",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}


def authorise(request: Request, token: str | None, needed: str | None = None) -> Caller:
    """The calling key: 401 with a challenge without a valid one (unless the server runs
    --no-auth), 403 if it lacks the scope `needed`."""
    if not request.app.state.auth:
        return NO_AUTH
    found: Caller | None = request.app.state.service.keys.caller(token)
    if found is None:
        raise HTTPException(
            status_code=401,
            detail="missing, unknown or revoked API key (X-API-Key header)",
            headers=CHALLENGE,
        )
    if needed is not None and needed not in found.scopes:
        raise HTTPException(status_code=403, detail=f"this API key lacks the {needed!r} scope")
    return found


async def caller(
    request: Request, token: Annotated[str | None, Security(api_key_header)]
) -> Caller:
    return authorise(request, token)


def scope(name: str) -> Callable[..., Awaitable[str]]:
    """A dependency: the caller's label, 403 if the key lacks the scope."""

    async def check(
        request: Request, token: Annotated[str | None, Security(api_key_header)]
    ) -> str:
        return authorise(request, token, name).label

    return check


# OpenAPI of the busy routes (decide, screen), which check their key and Idempotency-Key
# themselves with `authorise` and `idempotency_key`: FastAPI's dependency resolution cost more
# than the decision (benchmarks/service_load.py).
CHECKED_INLINE = {
    "security": [{api_key_header.scheme_name: []}],
    "parameters": [IDEMPOTENCY_PARAMETER],
}


def idempotency_key(request: Request) -> str | None:
    value = request.headers.get("idempotency-key")
    if value is not None and not IDEMPOTENCY_KEY.fullmatch(value):
        raise RequestValidationError(
            [
                {
                    "loc": ("header", "Idempotency-Key"),
                    "msg": "must be 1 to 200 printable ASCII characters without spaces",
                    "type": "value_error",
                }
            ]
        )
    return value


AnyKey = Annotated[Caller, Depends(caller)]
Decide = Annotated[str, Depends(scope("decide"))]
Simulate = Annotated[str, Depends(scope("simulate"))]
AuditRead = Annotated[str, Depends(scope("audit:read"))]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Missing, unknown or revoked API key"),
    403: _error("The key lacks the scope"),
    413: _error(f"Body larger than {LIMITS.body_bytes:,} bytes"),
}


def create_app(
    database_url: str | None = None,
    auth: bool = True,
    list_path: Path | None = None,
    regime_dir: Path | None = None,
    catalog_files: tuple[Path, ...] = (),
) -> FastAPI:
    app = FastAPI(
        title="computegate",
        version="1",
        description="US export controls on AI compute: classification, licence decisions, remote access, screening, simulation, audit.",
        docs_url=None,
        redoc_url=None,
        default_response_class=FastJSON,
        responses=ERRORS,
    )
    app.router.route_class = ParsedBodyRoute  # bodies parsed once, by the guard
    service = Service(database_url, list_path, regime_dir, catalog_files)
    charts = Charts()
    app.state.service = service
    app.state.auth = auth
    static = resources.files("computegate.surfaces.api") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    app.add_middleware(BodyGuard)  # size, depth and text checks before any parsing
    app.add_middleware(SecurityHeaders)  # outermost: on every response, the guard's included

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_readable(e) for e in exc.errors()]
        # a body may be one request or a list: drop the "wrong shape" error of the branch not taken
        specific = [e for e in errors if e["type"] not in SHAPE_ERRORS] or errors
        return FastJSON(status_code=422, content={"detail": specific[:20]})

    @app.exception_handler(ComputegateError)
    async def _user_error(_: Request, exc: ComputegateError) -> JSONResponse:
        field = (
            exc.field.split(".") if isinstance(exc, InputError) else [getattr(exc, "key", "input")]
        )
        return FastJSON(
            status_code=422,
            content={"detail": [{"loc": ["body", *field], "msg": str(exc), "type": "value_error"}]},
        )

    @app.exception_handler(IdempotencyConflict)
    async def _conflict(_: Request, exc: IdempotencyConflict) -> JSONResponse:
        return FastJSON(status_code=409, content={"detail": str(exc)})

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": service.version}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return PAGE

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return DOCS

    @app.get("/v1/catalog", tags=["catalog"])
    def catalog(_: AnyKey) -> list[dict[str, Any]]:
        return [chip.model_dump(mode="json", exclude_none=True) for chip in service.catalog]

    @app.get("/v1/timeline", tags=["catalog"])
    def timeline(_: AnyKey) -> list[dict[str, Any]]:
        return [
            i.model_dump(mode="json")
            for i in sorted(service.core.data.instruments.values(), key=lambda i: i.effective)
        ]

    @app.post("/v1/classify", tags=["decisions"], response_model=Classification)
    def classify_(body: ClassifyBody, _: AnyKey) -> dict[str, Any]:
        return service.classify(body.item, body.date.isoformat(), body.overlays)

    @app.post(
        "/v1/decide",
        tags=["decisions"],
        response_model=AuditedDecision | list[AuditedDecision],
        responses={409: _error("Idempotency-Key reused with a different request")},
        openapi_extra={
            **CHECKED_INLINE,
            "requestBody": {"content": {"application/json": {"example": EXPORT_EXAMPLE}}},
        },
    )
    async def decide_(body: AnyRequest | list[AnyRequest], request: Request) -> Response:
        """One request or a list of up to 1,000: all decided and recorded, or none."""
        label = authorise(request, request.headers.get("x-api-key"), "decide").label
        key = idempotency_key(request)
        requests = body if isinstance(body, list) else [body]
        if len(requests) > MAX_LIST:
            raise InputError("body", f"at most {MAX_LIST:,} requests per call")
        # validated once, here, against the engine's own models, which it then takes as they are;
        # a single decision is quick enough for the event loop, a list goes to a thread
        submit = service.submit_decide
        future = (
            submit(requests, label, key)
            if len(requests) <= INLINE
            else await run_in_threadpool(submit, requests, label, key)
        )
        outputs = await asyncio.wrap_future(future)
        return FastJSON(outputs if isinstance(body, list) else outputs[0])

    @app.post("/v1/whatif", tags=["decisions"], response_model=list[WhatifRow])
    def whatif(body: WhatifBody, label: Decide) -> Response:
        raw = body.request.model_dump(mode="json")
        sets = overlay_sets(raw["kind"], service.core.data)
        outputs = service.decide([{**raw, "overlays": o} for o in sets], label)
        return FastJSON(
            [
                {
                    "overlays": overlays,
                    "outcome": d["outcome"],
                    "review_policy": d["review_policy"],
                    "audit_id": d["audit_id"],
                    "decision": d,
                }
                for overlays, d in zip(sets, outputs, strict=True)
            ]
        )

    @app.post(
        "/v1/screen",
        tags=["screening"],
        response_model=AuditedScreening,
        responses={409: _error("Idempotency-Key reused with a different request")},
        openapi_extra=CHECKED_INLINE,
    )
    async def screen(body: ScreenBody, request: Request) -> Response:
        label = authorise(request, request.headers.get("x-api-key"), "screen").label
        key = idempotency_key(request)
        future = await run_in_threadpool(
            service.submit_screen, body.name, body.country, label, key, body.kind
        )
        return FastJSON((await asyncio.wrap_future(future))[0])

    @app.post("/v1/simulate", tags=["simulation"])
    def simulate_(body: SimulateBody, _: Simulate) -> dict[str, Any]:
        result: dict[str, Any] = _simulate(body, service.core).as_json()
        return result

    @app.get("/v1/scenarios", tags=["simulation"])
    def scenarios(_: Simulate) -> list[dict[str, Any]]:
        """Shipped scenarios with the years each export channel is listed for."""
        return scenario_index()

    @app.get(
        "/v1/charts/catalog.svg",
        tags=["catalog"],
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def catalog_chart(
        _: AnyKey,
        date: Annotated[dt.date, Query(ge=dt.date(2022, 1, 1), le=dt.date(2040, 12, 31))] = dt.date(
            2026, 1, 16
        ),
    ) -> Response:
        """The catalog on TPP x performance density (3A090 regions) and TPP x DRAM bandwidth (Jan-2026 window, tariff bands)."""
        return Response(content=charts.catalog(service, date), media_type="image/svg+xml")

    @app.post(
        "/v1/simulate/chart.svg",
        tags=["simulation"],
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def simulate_chart(body: SimulateBody, _: Simulate) -> Response:
        """Fan chart of the US:China flow ratio for the scenarios asked for."""
        return Response(
            content=charts.fan(_simulate(body, service.core)), media_type="image/svg+xml"
        )

    @app.get("/v1/audit/{audit_id}", tags=["audit"], responses={404: _error("No such row")})
    def audit_row(audit_id: Annotated[int, PathParam(ge=1, le=2**62)], _: AuditRead) -> Response:
        row = service.audit.get(audit_id)
        if row is None:
            raise HTTPException(status_code=404, detail=f"no audit row {audit_id}")
        return FastJSON(row)

    licences = LicenceStore(service.engine, service.core.catalog, service.core.regime)

    @app.post("/v1/licences", tags=["licences"], status_code=201)
    def licence_add(body: dict[str, Any], _: Decide, allow_overlap: bool = False) -> dict[str, Any]:
        """Register a licence (number, issued, expires, destination, lines, parties, conditions)."""
        licence = licences.parse(body)
        licences.add(licence, allow_overlap)
        return state_json(licences.get(licence.number))

    @app.get("/v1/licences", tags=["licences"])
    def licence_list(_: AuditRead) -> list[dict[str, Any]]:
        return [state_json(s) for s in licences.all()]

    @app.get("/v1/licences/{number}", tags=["licences"])
    def licence_show(
        number: Annotated[str, PathParam(max_length=40)], _: AuditRead
    ) -> dict[str, Any]:
        return state_json(licences.get(number))

    @app.post("/v1/shipments", tags=["licences"], status_code=201)
    def shipment_record(body: Shipment, _: Decide) -> dict[str, Any]:
        """Record a shipment: drawn against its licence and checked against the volume cap."""
        rec = licences.ship(body)
        cap = rec.cap
        return {
            "shipment_id": rec.shipment_id,
            "product": rec.product,
            "licence": rec.licence,
            "remaining_quantity": rec.remaining_quantity,
            "remaining_value_usd": rec.remaining_value_usd,
            "cap_headroom_units": cap.headroom_units if cap and cap.applies else None,
        }

    @app.get("/v1/cap/{product}", tags=["licences"])
    def cap_status(
        product: Annotated[str, PathParam(max_length=200)],
        _: AuditRead,
        date: dt.date | None = None,
        quantity: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> dict[str, Any]:
        """The January-2026 volume cap for a product: base, shipped, limit, headroom."""
        status = licences.cap(product, date or dt.date.today(), quantity)
        out = {k: v for k, v in status.__dict__.items() if k != "findings"}
        return out | {"findings": [f.model_dump(mode="json") for f in status.findings]}

    @app.post("/v1/impact", tags=["licences"])
    def impact_report(body: ImpactBody, _: AuditRead) -> dict[str, Any]:
        """Which open orders change under another date or overlays, grouped by provision."""
        change = RegimeChange(date=body.date, overlays=tuple(body.overlays))
        if change.describe() == "no change":
            raise InputError("date/overlays", "say what to compare against")
        cases = [(f"order #{n}", (lambda r=r: r), None) for n, r in enumerate(body.orders, start=1)]
        return impact(cases, change, service.core).as_dict()

    @app.get("/v1/audit/{audit_id}/receipt", tags=["audit"], responses={404: _error("No such row")})
    def audit_receipt(
        audit_id: Annotated[int, PathParam(ge=1, le=2**62)], _: AuditRead
    ) -> Response:
        """The row's leaf data and inclusion proof at the current root (checked by the web page)."""
        found = row_receipt(service.engine, audit_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no audit row {audit_id} in the tree")
        return FastJSON(found)

    @app.get("/v1/audit", tags=["audit"])
    def audit_rows(
        _: AuditRead,
        kind: Annotated[str | None, Query(max_length=40)] = None,
        key_label: Annotated[str | None, Query(max_length=200)] = None,
        since: Annotated[
            dt.datetime | None, Query(description="ISO 8601; without a zone, UTC")
        ] = None,
        until: Annotated[
            dt.datetime | None, Query(description="ISO 8601; without a zone, UTC")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Response:
        rows, total = service.audit.search(kind, key_label, since, until, limit, offset)
        return FastJSON({"total": total, "limit": limit, "offset": offset, "rows": rows})

    return app


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with a thread pool, the default (8 per core) lets
    resident memory creep up over a long run (the soak benchmark: +8.5 MB per 10k requests with the
    default, +2.5 MB with two). Elsewhere than glibc this does nothing."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and name:
        m_arena_max = -8
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).mallopt(m_arena_max, arenas)


def app_from_environment() -> FastAPI:
    """The app for `serve --workers N`: each worker process builds its own from these variables."""
    limit_malloc_arenas()
    list_file = os.environ.get("COMPUTEGATE_LIST_FILE")
    log_answers_to_stderr()
    app = create_app(
        os.environ.get("COMPUTEGATE_DATABASE_URL"),
        auth=os.environ.get("COMPUTEGATE_NO_AUTH") != "1",
        list_path=Path(list_file) if list_file else None,
    )
    # The catalog, regime and libraries loaded at start-up live as long as the process: keep them
    # out of the collector's passes (benchmarks/service_load.py: p99 at 32 connections from
    # 126-140 ms to 45-49 ms, CPU per decision from 0.7 to 0.55 ms). Collecting the young
    # generation less often was faster still but let memory grow in the soak benchmark.
    gc.collect()
    gc.freeze()
    return app
