"""`computegate simulate`: US vs China compute under policy scenarios, and `simulate validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperCommand

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


class _SimulateOrSweep(TyperCommand):
    """`simulate sweep ARGS` runs `simulate-sweep ARGS` (simulate's own arguments are scenarios)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        group = getattr(parent, "command", None)
        if args[:1] == ["sweep"] and hasattr(group, "get_command"):
            sweep = group.get_command(parent, "simulate-sweep")  # type: ignore[union-attr]
            return sweep.make_context(f"{info_name} sweep", args[1:], parent, **extra)
        return super().make_context(info_name, args, parent, **extra)


@app.command(cls=_SimulateOrSweep)
def simulate(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Shipped scenario names or your own scenario YAML files; or `validate` to check "
            "the profile against published estimates; `sweep` for a sensitivity sweep "
            "(`simulate sweep --help`)."
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


# -- `simulate sweep`: global sensitivity over the scenario's inputs --------------------------------
#
# `simulate` takes scenario names as arguments, so the sweep is its own command, `simulate-sweep`,
# which `simulate sweep ...` also reaches (as `simulate validate` reaches the validation).

DESIGNS = ("sobol", "grid")
MAX_RUNS = 2_000_000  # the design (runs x inputs) and every run's outputs are held in memory


@app.command("simulate-sweep")
def simulate_sweep(
    scenario: Annotated[str, typer.Argument(help="A shipped scenario name or your scenario YAML.")],
    metric: Annotated[
        str, typer.Option("--metric", help="Output to apportion, e.g. stock_ratio, flow_ratio.")
    ] = "stock_ratio",
    year: Annotated[int, typer.Option("--year", help="The year of the output.")] = 2027,
    design: Annotated[str, typer.Option("--design", help="sobol (Saltelli) or grid.")] = "sobol",
    samples: Annotated[
        int,
        typer.Option("--samples", help="sobol: base samples N (a power of two); N x (D+2) runs."),
    ] = 256,
    levels: Annotated[
        int, typer.Option("--levels", help="grid: quantile levels per input; levels^D runs.")
    ] = 3,
    inputs: Annotated[
        str | None,
        typer.Option(
            "--inputs",
            help="Comma-separated input names (`*` matches any text, e.g. 'smuggling*,shock:*'); "
            "default: every uncertain input of the scenario.",
        ),
    ] = None,
    tail: Annotated[
        float,
        typer.Option(
            "--tail",
            help="Inputs range over quantiles tail..1-tail of their own "
            "distributions (0.05: the 5th..95th percentiles).",
        ),
    ] = 0.05,
    max_runs: Annotated[
        int, typer.Option("--max-runs", min=1, max=MAX_RUNS, help="Refuse larger designs.")
    ] = 500_000,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, help="Runs per task (the same chunks on any engine).")
    ] = 2048,
    profile: Annotated[
        str, typer.Option("--profile", help="Assumptions: default, or ifp-cfr (the seed's).")
    ] = "default",
    basis: Annotated[str | None, typer.Option("--basis", help="e.g. b300e:tpp.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Sobol sequence.")] = 20260115,
    engine_name: Annotated[
        str, typer.Option("--engine", help="local (this process) or dask (a cluster).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler address (default: a 2-worker LocalCluster)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write design.parquet, runs.parquet, sensitivity.csv, sweep.json."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Which inputs drive an output: first-order and total Sobol indices over a grid or Sobol design."""
    import datetime as dt
    import json
    import time

    from computegate.engine import Engine
    from computegate.simulation import BASES, Context, resolve_scenario
    from computegate.simulation import sensitivity as sa
    from computegate.simulation.model import SUMMARY_METRICS
    from computegate.simulation.pinned import uncertain_inputs

    if engine_name not in ("local", "dask"):
        raise InputError("--engine", f"{engine_name!r} is not local or dask")
    if scheduler and engine_name != "dask":
        raise InputError("--scheduler", "needs --engine dask")
    if design not in DESIGNS:
        raise InputError("--design", f"{design!r} is not one of {', '.join(DESIGNS)}")
    if metric not in SUMMARY_METRICS:
        raise InputError(
            "--metric", f"unknown metric {metric!r} (known: {', '.join(SUMMARY_METRICS)})"
        )
    if not 2022 <= year <= 2040:
        raise InputError("--year", f"{year} is outside 2022-2040")
    if not 0 <= tail < 0.5:
        raise InputError("--tail", f"{tail} must be at least 0 and below 0.5")
    if basis is not None and basis not in BASES:
        raise InputError("--basis", f"unknown basis {basis!r} (known: {', '.join(BASES)})")
    size, size_option = (samples, "--samples") if design == "sobol" else (levels, "--levels")
    if design == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise InputError("--samples", f"{samples} is not a power of two (e.g. 256, 1024)")
    if design == "grid" and levels < 2:
        raise InputError("--levels", f"{levels}: a grid needs at least 2 levels")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError("--out", f"{out_dir} is a file; give a directory")

    engine = Engine.load()
    context = Context(engine, dt.date.today())
    chosen = resolve_scenario(scenario, profile, engine.data.overlays)
    basis = basis or chosen.basis
    try:
        known = uncertain_inputs(chosen, [year], context, basis)
    except ValueError as exc:  # e.g. a chip with no figure on the chosen basis
        raise InputError("SCENARIO", str(exc)) from None
    swept = _pick_inputs(inputs, [i.name for i in known])
    kind: sa.DesignKind = "sobol" if design == "sobol" else "grid"
    runs = sa.design_runs(kind, len(swept), size)
    if runs > max_runs:
        many = f"{runs:,}" if runs < 10**12 else f"{float(runs):.2g}"
        raise InputError(
            size_option,
            f"{size} {size_option.lstrip('-')} over {len(swept)} inputs is {many} runs, more "
            f"than --max-runs {max_runs:,} (fewer --inputs, a smaller design, or more --max-runs)",
        )
    plan = sa.make_design(kind, swept, size, seed, tail)
    model = sa.ModelRuns(chosen, year, basis, plan.names, context.on)
    start = time.perf_counter()
    if engine_name == "dask":
        from computegate.surfaces import distributed

        with distributed.connect(scheduler) as client:
            outputs = sa.run_design(plan, chunk, _tracked(distributed.sweep_runner(client, model)))
    else:
        outputs = sa.run_design(plan, chunk, _tracked(sa.in_process(lambda q: model(q, context))))
    seconds = time.perf_counter() - start
    try:
        table = sa.indices(plan, outputs[metric])
    except ValueError as exc:
        raise InputError("--metric", f"{metric} in {year}: {exc}") from None

    mean, std = float(outputs[metric].mean()), float(outputs[metric].std())
    by_name = {i.name: i for i in known}
    low_q, high_q = sa.band(tail)
    rows = [
        {
            "input": ix.name,
            "dist": by_name[ix.name].dist,
            "low": by_name[ix.name].value(low_q),
            "high": by_name[ix.name].value(high_q),
            "S1": ix.s1,
            "S1_conf": ix.s1_conf,
            "ST": ix.st,
            "ST_conf": ix.st_conf,
        }
        for ix in table
    ]
    report = {
        "scenario": chosen.name,
        "profile": chosen.profile,
        "basis": basis,
        "metric": metric,
        "year": year,
        "design": {
            "kind": design,
            size_option.lstrip("-"): size,
            "runs": plan.runs,
            "inputs": len(swept),
            "seed": seed,
            "tail": tail,
            "chunk": chunk,
        },
        "engine": engine_name,
        "output": {"mean": mean, "std": std},
        "indices": rows,
    }
    if out_dir is not None:
        import polars as pl

        out_dir.mkdir(parents=True, exist_ok=True)
        plan.frame().write_parquet(out_dir / "design.parquet")
        pl.DataFrame({"run": range(plan.runs), **outputs}).write_parquet(out_dir / "runs.parquet")
        pl.DataFrame(rows).write_csv(out_dir / "sensitivity.csv")
        (out_dir / "sweep.json").write_text(json.dumps(report, indent=2))
        err.print(f"wrote design.parquet, runs.parquet, sensitivity.csv, sweep.json to {out_dir}")
    if json_out:
        print_json(report)
        return
    sized = f"N={size}" if design == "sobol" else f"{size} levels"
    out.print(
        _sweep_table(
            rows,
            f"range (q{tail:g}-{1 - tail:g})",
            f"Sensitivity of {metric} in {year}: {chosen.name}, profile {chosen.profile}, {basis}; "
            f"{design} {sized}, {plan.runs:,} runs on {engine_name} in {seconds:.1f}s",
        )
    )
    out.print(
        f"[dim]{metric} in {year} over the design: mean {mean:.3g}, sd {std:.3g}. "
        f"Inputs range over quantiles {tail:g}-{1 - tail:g} "
        "of their distributions; S1 first-order, ST total (with its interactions) share of "
        "the output's variance.[/dim]"
    )


def _pick_inputs(spec: str | None, names: list[str]) -> list[str]:
    """Inputs by exact name, or with `*` for any text; the scenario's order, each once."""
    import re

    if spec is None:
        return names
    wanted = [p.strip() for p in spec.split(",") if p.strip()]
    if not wanted:
        raise InputError("--inputs", "give at least one input name")
    picked: set[str] = set()
    for pattern in wanted:
        rx = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
        hits = {n for n in names if rx.fullmatch(n)}
        if not hits:
            raise InputError(
                "--inputs",
                f"no input {pattern!r}; the scenario's {len(names)} uncertain inputs are: "
                + ", ".join(names),
            )
        picked |= hits
    return [n for n in names if n in picked]


def _tracked(runner: Any) -> Any:
    """The chunk runner with a progress bar on stderr."""
    from rich.progress import track

    return lambda chunks: track(
        runner(chunks), total=len(chunks), description="sweeping", console=err, transient=True
    )


def _sweep_table(rows: list[dict[str, Any]], band: str, title: str) -> Table:
    def conf(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    table = Table("input", band, "S1", "S1 conf", "ST", "ST conf", title=title)
    for r in rows:
        table.add_row(
            r["input"],
            f"{r['low']:.3g} - {r['high']:.3g}",
            f"{r['S1']:.3f}",
            conf(r["S1_conf"]),
            f"{r['ST']:.3f}",
            conf(r["ST_conf"]),
        )
    return table
