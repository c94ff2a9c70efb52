"""The HTTP API under /v1 and the web page, on the same domain types the library uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from computegate.api.page import PAGE
from computegate.io.errors import ComputegateError, InputError
from computegate.model.requests import Decision, ExportRequest, RemoteAccessRequest
from computegate.regime import default_regime_data
from computegate.rules import Classification, overlay_sets
from computegate.screening import ScreeningResult
from computegate.service import Service
from computegate.store.keys import label_for

MAX_DRAWS = 20_000
SHAPE_ERRORS = {"list_type", "model_attributes_type", "dict_type"}
REQUEST_KINDS = {"export", "reexport", "transfer", "remote_access"}
AnyRequest = Annotated[ExportRequest | RemoteAccessRequest, Field(discriminator="kind")]

EXPORT_EXAMPLE = {
    "kind": "export",
    "date": "2026-01-16",
    "item": "H200",
    "quantity": 500,
    "to_country": "CN",
    "end_user": {"name": "Shanghai customer", "headquarters": "CN"},
}


class AuditedDecision(Decision):
    audit_id: int = Field(description="Row in the audit log that records this decision")


class AuditedScreening(ScreeningResult):
    audit_id: int = Field(description="Row in the audit log that records this screening")


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


def _simulate(body: SimulateBody) -> Any:
    from computegate.simulation import BASES, resolve_scenario, shipped_scenarios, simulate

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
    return simulate(chosen, years, body.draws, body.seed, body.basis)


_chart_cache: dict[dt.date, bytes] = {}


def _catalog_svg(service: Service, date: dt.date) -> bytes:
    if date not in _chart_cache:
        import tempfile

        from computegate.charts import plot_catalog
        from computegate.regime import Regime
        from computegate.rules import classify

        regime = Regime.at(date)
        items = [classify(chip, regime, catalog=service.catalog) for chip in service.catalog]
        with tempfile.TemporaryDirectory() as tmp:
            _chart_cache[date] = plot_catalog(items, regime, Path(tmp) / "catalog.svg").read_bytes()
    return _chart_cache[date]


def key_label(
    request: Request,
    x_api_key: Annotated[
        str | None, Header(description="API key (computegate keys create LABEL)")
    ] = None,
) -> str | None:
    """The calling key's label (recorded in the audit row); 401 without a valid key unless --no-auth."""
    if not request.app.state.auth:
        return "no-auth"
    label = label_for(request.app.state.service.engine, x_api_key)
    if label is None:
        raise HTTPException(status_code=401, detail="missing or unknown API key (X-API-Key header)")
    return label


Key = Annotated[str | None, Depends(key_label)]


def create_app(
    database_url: str | None = None, auth: bool = True, list_path: Path | None = None
) -> FastAPI:
    app = FastAPI(
        title="computegate",
        version="1",
        description="US export controls on AI compute: classification, licence decisions, remote access, screening, simulation, audit.",
    )
    service = Service(database_url, list_path)
    app.state.service = service
    app.state.auth = auth

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_readable(e) for e in exc.errors()]
        # a body may be one request or a list: drop the "wrong shape" error of the branch not taken
        specific = [e for e in errors if e["type"] not in SHAPE_ERRORS] or errors
        return JSONResponse(status_code=422, content={"detail": specific})

    @app.exception_handler(ComputegateError)
    async def _user_error(_: Request, exc: ComputegateError) -> JSONResponse:
        field = (
            exc.field.split(".") if isinstance(exc, InputError) else [getattr(exc, "key", "input")]
        )
        return JSONResponse(
            status_code=422,
            content={"detail": [{"loc": ["body", *field], "msg": str(exc), "type": "value_error"}]},
        )

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": service.version}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return PAGE

    @app.get("/v1/catalog", tags=["catalog"])
    def catalog(_: Key) -> list[dict[str, Any]]:
        return [chip.model_dump(mode="json", exclude_none=True) for chip in service.catalog]

    @app.get("/v1/timeline", tags=["catalog"])
    def timeline(_: Key) -> list[dict[str, Any]]:
        return [
            i.model_dump(mode="json")
            for i in sorted(default_regime_data().instruments.values(), key=lambda i: i.effective)
        ]

    @app.post("/v1/classify", tags=["decisions"], response_model=Classification)
    def classify_(body: ClassifyBody, _: Key) -> dict[str, Any]:
        return service.classify(body.item, body.date.isoformat(), body.overlays)

    @app.post(
        "/v1/decide",
        tags=["decisions"],
        response_model=AuditedDecision | list[AuditedDecision],
        openapi_extra={
            "requestBody": {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}
        },
    )
    def decide_(body: AnyRequest | list[AnyRequest], label: Key) -> Any:
        requests = body if isinstance(body, list) else [body]
        if len(requests) > 1000:
            raise InputError("body", "at most 1,000 requests per call")
        out = []
        for req in requests:
            decision, audit_id = service.decide(req.model_dump(mode="json"), label)
            out.append({**decision, "audit_id": audit_id})
        return out if isinstance(body, list) else out[0]

    @app.post("/v1/whatif", tags=["decisions"], response_model=list[WhatifRow])
    def whatif(body: WhatifBody, label: Key) -> list[dict[str, Any]]:
        raw = body.request.model_dump(mode="json")
        rows = []
        for overlays in overlay_sets(raw["kind"], default_regime_data()):
            decision, audit_id = service.decide({**raw, "overlays": overlays}, label)
            rows.append(
                {
                    "overlays": overlays,
                    "outcome": decision["outcome"],
                    "review_policy": decision["review_policy"],
                    "audit_id": audit_id,
                    "decision": decision,
                }
            )
        return rows

    @app.post("/v1/screen", tags=["screening"], response_model=AuditedScreening)
    def screen(body: ScreenBody, label: Key) -> dict[str, Any]:
        result, audit_id = service.screen(body.name, body.country, label, body.kind)
        return {**result, "audit_id": audit_id}

    @app.post("/v1/simulate", tags=["simulation"])
    def simulate_(body: SimulateBody, _: Key) -> dict[str, Any]:
        result: dict[str, Any] = _simulate(body).as_json()
        return result

    @app.get(
        "/v1/charts/catalog.svg",
        tags=["catalog"],
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def catalog_chart(
        date: Annotated[dt.date, Query(ge=dt.date(2022, 1, 1), le=dt.date(2040, 12, 31))] = dt.date(
            2026, 1, 16
        ),
    ) -> Response:
        """The catalog on TPP x performance density (3A090 regions) and TPP x DRAM bandwidth (Jan-2026 window, tariff bands)."""
        return Response(content=_catalog_svg(service, date), media_type="image/svg+xml")

    @app.post(
        "/v1/simulate/chart.svg",
        tags=["simulation"],
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def simulate_chart(body: SimulateBody, _: Key) -> Response:
        """Fan chart of the US:China flow ratio for the scenarios asked for."""
        import tempfile

        from computegate.simulation_charts import fan_chart

        results = _simulate(body)
        with tempfile.TemporaryDirectory() as tmp:
            svg = next(p for p in fan_chart(results, Path(tmp)) if p.suffix == ".svg")
            return Response(content=svg.read_bytes(), media_type="image/svg+xml")

    @app.get("/v1/audit/{audit_id}", tags=["audit"])
    def audit_row(audit_id: Annotated[int, PathParam(ge=1, le=2**62)], _: Key) -> dict[str, Any]:
        row = service.audit.get(audit_id)
        if row is None:
            raise HTTPException(status_code=404, detail=f"no audit row {audit_id}")
        return row

    @app.get("/v1/audit", tags=["audit"])
    def audit_rows(
        _: Key,
        kind: Annotated[str | None, Query(max_length=40)] = None,
        key_label: Annotated[str | None, Query(max_length=200)] = None,
        since: Annotated[dt.datetime | None, Query()] = None,
        until: Annotated[dt.datetime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> dict[str, Any]:
        rows, total = service.audit.search(
            kind,
            key_label,
            since.isoformat() if since else None,
            until.isoformat() if until else None,
            limit,
            offset,
        )
        return {"total": total, "limit": limit, "offset": offset, "rows": rows}

    return app
