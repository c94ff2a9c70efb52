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
from computegate.surfaces.api.scenarios import ScenarioEdit, apply_edits, scenario_index
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
    edits: list[ScenarioEdit] = Field(
        default_factory=list,
        max_length=10,
        description="Changed inputs of scenarios in this run (export volumes, approval, last year)",
    )
    charts: bool = Field(default=False, description="Also return Vega-Lite specs of the run")


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


def _simulate(body: SimulateBody, law: Engine) -> tuple[Any, list[Any]]:
    """A run on the service's Engine (its regime and catalog); rules answers are reused across
    runs. Returns the results and the scenarios run (edited where the body says so)."""
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
    for n, edit in enumerate(body.edits):
        if edit.scenario not in body.scenarios:
            raise InputError(
                f"edits.{n}.scenario", f"{edit.scenario!r} is not among the scenarios run"
            )
        if any(e.scenario == edit.scenario for e in body.edits[:n]):
            raise InputError(f"edits.{n}.scenario", f"{edit.scenario!r} is edited twice")
        i = body.scenarios.index(edit.scenario)
        chosen[i] = apply_edits(chosen[i], edit, f"edits.{n}")
    return simulate(chosen, years, body.draws, body.seed, body.basis, Context(law)), chosen


class CatalogCharts:
    """The catalog classified on a date, kept for the last few dates asked for (charts only)."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._cache: OrderedDict[dt.date, list[Classification]] = OrderedDict()
        self._lock = threading.Lock()

    def specs(self, date: dt.date, item: str | None) -> dict[str, Any]:
        from computegate.rules import classify
        from computegate.surfaces.api.catalog_charts import bandwidth_chart, density_chart

        regime = self._service.core.regime(date.isoformat())
        with self._lock:
            items = self._cache.get(date)
            if items is None:
                catalog = self._service.catalog
                items = [classify(chip, regime, catalog=catalog) for chip in catalog]
                self._cache[date] = items
                if len(self._cache) > CHART_CACHE:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(date)
        chosen = self._service.core.classify(item, date.isoformat(), []) if item else None
        return {
            "density": density_chart(items, regime, chosen),
            "bandwidth": bandwidth_chart(items, regime, chosen),
        }


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
    charts = CatalogCharts(service)
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
        results, scenarios = _simulate(body, service.core)
        out: dict[str, Any] = results.as_json()
        if body.charts:
            from computegate.surfaces.api import simulation_charts as sc

            years = list(range(body.first_year, body.last_year + 1))
            ends = sc.policy_ends(scenarios, years)
            out["charts"] = {
                "fan": sc.fan(out["results"], out["basis"], ends),
                "channels": sc.channels(out["results"], out["basis"]),
            }
        return out

    @app.get("/v1/scenarios", tags=["simulation"])
    def scenarios(_: Simulate) -> list[dict[str, Any]]:
        """Shipped scenarios with the years each export channel is listed for."""
        return scenario_index()

    @app.get("/v1/charts/catalog", tags=["catalog"])
    def catalog_charts(
        _: AnyKey,
        date: Annotated[dt.date, Query(ge=dt.date(2022, 1, 1), le=dt.date(2040, 12, 31))] = dt.date(
            2026, 1, 16
        ),
        item: Annotated[
            str | None, Query(max_length=200, description="Catalog name of the chip to highlight")
        ] = None,
    ) -> dict[str, Any]:
        """Vega-Lite specs: TPP x performance density over the 3A090 regions, and TPP x DRAM
        bandwidth over the Jan-2026 window and Section 232 bands; the chip asked about ringed."""
        return charts.specs(date, item)

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

    @app.get("/v1/rules", tags=["decisions"])
    def rules(_: AnyKey) -> dict[str, dict[str, str]]:
        """The rule registry: each rule id a finding carries, its title and role ("x.*": a family)."""
        return {k: v.model_dump() for k, v in service.core.data.rules.entries.items()}

    @app.get(
        "/v1/audit/{audit_id}/memo.{fmt}",
        tags=["audit"],
        response_class=Response,
        responses={
            200: {"content": {"text/html": {}, "application/pdf": {}}},
            404: _error("No such decision"),
        },
    )
    def decision_memo(
        audit_id: Annotated[int, PathParam(ge=1, le=2**62)],
        fmt: Literal["html", "pdf"],
        who: AnyKey,
    ) -> Response:
        """The decision memo to file with the order, from the row as recorded, with its receipt
        (leaf index, Merkle root, inclusion proof). Readable by the key that made the decision or
        by one with the audit:read scope."""
        from computegate.surfaces.api import memo

        row = service.audit.get(audit_id)
        if row is None or row["kind"] != "decide":
            raise HTTPException(status_code=404, detail=f"no decision in audit row {audit_id}")
        if "audit:read" not in who.scopes and row["key_label"] != who.label:
            raise HTTPException(
                status_code=403, detail="this API key neither made the decision nor has audit:read"
            )
        found = row_receipt(service.engine, audit_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"audit row {audit_id} is not in the tree")
        built = memo.build(row, found, service.core.data.rules)
        disposition = {"Content-Disposition": f'inline; filename="{built.filename}.{fmt}"'}
        if fmt == "pdf":
            return Response(memo.pdf(built), media_type="application/pdf", headers=disposition)
        return HTMLResponse(memo.html(built), headers=disposition)

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
        outcome: Annotated[
            Literal[
                "license_required",
                "no_license_required",
                "insufficient_information",
                "hit",
                "no_hit",
            ]
            | None,
            Query(description="A decision's outcome, or a screening's hit / no_hit"),
        ] = None,
    ) -> Response:
        rows, total = service.audit.search(kind, key_label, since, until, limit, offset, outcome)
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
