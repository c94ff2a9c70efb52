"""`computegate simulate`: US vs China compute under policy scenarios, and `simulate validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from computegate.io.errors import InputError
from computegate.surfaces.cli.common import JsonOpt, app, err, out, print_json


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            years = list(range(first, last + 1))
        else:
            years = [int(x) for x in text.split(",")]
    except ValueError:
        raise InputError("--years", f"{text!r} is not a year range like 2024-2030") from None
    if not years or years[0] < 2022 or years[-1] > 2040 or years != sorted(years):
        raise InputError("--years", f"{text!r}: years must be ascending within 2022-2040")
    return years


@app.command()
def simulate(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Shipped scenario names or your own scenario YAML files; or `validate` to check "
            "the profile against published estimates."
        ),
    ],
    years: Annotated[
        str, typer.Option("--years", help="Year range, e.g. 2024-2030.")
    ] = "2024-2030",
    draws: Annotated[
        int, typer.Option("--draws", min=100, max=1_000_000, help="Monte Carlo draws.")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same numbers).")
    ] = 20260115,
    basis: Annotated[
        str | None,
        typer.Option("--basis", help="e.g. b300e:tpp, h100e:dense_8bit, b300e:dense_fp4."),
    ] = None,
    profile: Annotated[
        str, typer.Option("--profile", help="Assumptions: default, or ifp-cfr (the seed's).")
    ] = "default",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write results.csv and charts (PNG and SVG) here.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """US vs China AI compute under policy scenarios, with uncertainty bands."""
    from computegate.engine import Engine
    from computegate.simulation import BASES, Context, resolve_scenario
    from computegate.simulation import simulate as run

    if basis is not None and basis not in BASES:
        raise InputError("--basis", f"unknown basis {basis!r} (known: {', '.join(BASES)})")
    engine = Engine.load()
    context = Context(engine)
    if scenarios == ["validate"]:
        _simulate_validate(profile, json_out, context)
        return
    chosen = [resolve_scenario(s, profile, engine.data.overlays) for s in scenarios]
    span = _years(years)
    try:
        results = run(chosen, span, draws, seed, basis, context)
    except ValueError as exc:
        raise InputError("SCENARIO", str(exc)) from None
    if out_dir is not None:
        from computegate.simulation import tornado
        from computegate.surfaces.simulation_charts import channels_chart, fan_chart, tornado_chart

        out_dir.mkdir(parents=True, exist_ok=True)
        results.frame.write_csv(out_dir / "results.csv")
        year = 2026 if 2026 in span else span[0]
        written = [
            out_dir / "results.csv",
            *fan_chart(results, out_dir),
            *fan_chart(results, out_dir, "stock_ratio"),
            *fan_chart(results, out_dir, "stock_ratio_cloud_at_cost"),
            *channels_chart(results, out_dir),
        ]
        swings = {s.name: tornado(s, year, context=context, basis=results.basis) for s in chosen}
        written += tornado_chart(swings, year, out_dir)
        err.print(f"wrote {', '.join(p.name for p in written)} to {out_dir}")
    if json_out:
        print_json(results.as_json())
        return
    frame = results.frame
    titles = {
        "flow_ratio": f"US:China compute gained per year (flow ratio, {results.basis}, "
        f"profile {results.profile}): median [5%-95%]",
        "stock_ratio": "US:China effective compute stock ratio: median [5%-95%]",
        "stock_ratio_cloud_at_cost": "Stock ratio with rented cloud at its owning-cost "
        "equivalent (cloud / cloud_cost_ratio)",
    }
    for metric, title in titles.items():
        table = Table("scenario", *[str(y) for y in span], title=title)
        for scenario in chosen:
            rows = {
                r["year"]: r
                for r in frame.filter(
                    (pl_col("scenario") == scenario.name) & (pl_col("metric") == metric)
                ).to_dicts()
            }
            table.add_row(
                scenario.name,
                *[
                    f"{rows[y]['median']:.1f} [{rows[y]['p5']:.1f}-{rows[y]['p95']:.1f}]"
                    for y in span
                ],
            )
        out.print(table)
    if len(chosen) > 1:
        base = chosen[0].name
        table = Table(
            "scenario",
            *[str(y) for y in span],
            title=f"China's compute gained vs {base}, paired draws ({results.basis}, thousands): "
            "median [5%-95%]",
        )
        delta = results.paired("china_flow", base)
        for scenario in chosen[1:]:
            rows = {
                r["year"]: r for r in delta.filter(pl_col("scenario") == scenario.name).to_dicts()
            }
            table.add_row(
                scenario.name,
                *[
                    f"{rows[y]['median'] / 1e3:+,.0f} [{rows[y]['p5'] / 1e3:+,.0f}"
                    f" to {rows[y]['p95'] / 1e3:+,.0f}]"
                    for y in span
                ],
            )
        out.print(table)
    for note in results.notes:
        out.print(f"[dim]note: {note}[/dim]")
    out.print(
        f"[dim]{draws:,} draws, seed {seed}. Full series: --out DIR (results.csv) or --json.[/dim]"
    )


def _simulate_validate(profile: str, json_out: bool, context: Any) -> None:
    from computegate.simulation import profile_path
    from computegate.simulation.validate import as_rows, validate

    profile_path(profile)  # a clear error for an unknown profile
    rows = as_rows(validate(profile, context=context))
    passed = sum(r["pass"] for r in rows)
    by_split = {
        split: (
            sum(r["pass"] for r in rows if r["split"] == split),
            sum(r["split"] == split for r in rows),
        )
        for split in ("dev", "test")
    }
    if json_out:
        print_json(
            {
                "profile": profile,
                "passed": passed,
                "total": len(rows),
                "splits": {k: {"passed": p, "total": t} for k, (p, t) in by_split.items()},
                "rows": rows,
            }
        )
        return
    splits = ", ".join(f"{k} {p}/{t}" for k, (p, t) in by_split.items())
    table = Table(
        "estimate",
        "split",
        "quantity",
        "basis",
        "published [interval]",
        "model",
        "within",
        "source / why missed",
        title=f"Profile {profile!r} vs published estimates: {passed}/{len(rows)} within ({splits})",
    )
    for r in rows:
        low, high = r["interval"]
        why = r["miss"] if not r["pass"] and r["miss"] else r["source"]
        table.add_row(
            r["id"],
            r["split"],
            r["quantity"],
            r["basis"],
            f"{r['value']} [{low:.3g}-{high:.3g}]",
            f"{r['model']:.3g}",
            "yes" if r["pass"] else "NO",
            why,
        )
    out.print(table)


def pl_col(name: str) -> Any:
    import polars as pl

    return pl.col(name)
