"""Catalog contents, forgiving lookup, raw specs and user files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from computegate.catalog import Catalog, load_catalog_file
from computegate.io.errors import DataFileError, InputError, UnknownItemError


def test_catalog_has_at_least_40_sourced_entries(catalog: Catalog) -> None:
    chips = list(catalog)
    assert len(chips) >= 40
    assert all(c.sources for c in chips), [c.name for c in chips if not c.sources]
    assert len({c.key for c in chips}) == len(chips)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("H200", "NVIDIA H200 SXM"),
        ("nvidia h200", "NVIDIA H200 SXM"),
        ("H200 SXM", "NVIDIA H200 SXM"),
        ("h200-sxm", "NVIDIA H200 SXM"),
        ("MI325X", "AMD Instinct MI325X"),
        ("amd mi325x", "AMD Instinct MI325X"),
        ("RTX 4090D", "NVIDIA GeForce RTX 4090 D"),
        ("rtx 4090 d", "NVIDIA GeForce RTX 4090 D"),
        ("RTX 4090", "NVIDIA GeForce RTX 4090"),
        ("H20", "NVIDIA H20 (HGX)"),
        ("Huawei Ascend 910C", "Huawei Ascend 910C"),
        ("nvidia-b200", "NVIDIA B200 (HGX)"),
    ],
)
def test_lookup_is_forgiving(catalog: Catalog, query: str, expected: str) -> None:
    assert catalog.get(query).name == expected


def test_unknown_chip_suggests_close_names(catalog: Catalog) -> None:
    with pytest.raises(UnknownItemError) as exc:
        catalog.get("H2000")
    assert exc.value.field == "item"
    assert "H200" in str(exc.value)


def test_raw_spec_json_with_unknowns(catalog: Catalog) -> None:
    spec = '{"name": "X1", "dense_tflops": {"fp16": 187.5, "fp8": null}, "die_area_mm2": null, "dram_bandwidth_gbs": 1600, "datacenter": true}'
    chip = catalog.resolve(spec)
    assert chip.name == "X1"
    assert chip.dense_tflops.fp16 == 187.5
    assert chip.die_area_mm2 is None


@pytest.mark.parametrize(
    ("spec", "field", "problem"),
    [
        ('{"dense_tflops": {"fp16": -1}}', "item.dense_tflops.fp16", "greater than or equal to 0"),
        ('{"dense_tflops": {"fp17": 1}}', "item.dense_tflops.fp17", "Extra inputs"),
        ('{"die_area_mm2": 0}', "item.die_area_mm2", "greater than 0"),
        ('{"name": "x", ', "item", "invalid JSON"),
        ("[1, 2]", "item", "unknown chip"),
    ],
)
def test_bad_raw_spec_names_the_field(
    catalog: Catalog, spec: str, field: str, problem: str
) -> None:
    with pytest.raises(InputError) as exc:
        catalog.resolve(spec)
    assert exc.value.field == field
    assert problem in exc.value.problem


def test_user_catalog_file_adds_and_overrides(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {
                "accelerators": [
                    {
                        "id": "acme-x9",
                        "name": "Acme X9",
                        "aliases": ["X9"],
                        "dense_tflops": {"fp8": 1000},
                    },
                    {
                        "id": "nvidia-h20",
                        "name": "NVIDIA H20 (HGX)",
                        "aliases": ["H20"],
                        "dense_tflops": {"fp8": 300},
                    },
                ]
            }
        )
    )
    mine = catalog.with_files([path])
    assert mine.get("x9").dense_tflops.fp8 == 1000
    assert mine.get("H20").dense_tflops.fp8 == 300
    assert len(mine) == len(catalog) + 1
    assert catalog.get("H20").dense_tflops.fp8 == 296  # the bundled catalog is untouched


def test_malformed_user_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("accelerators:\n  - name: Y\n    dense_tflops: {fp16: -3}\n")
    with pytest.raises(DataFileError) as exc:
        load_catalog_file(path)
    assert exc.value.file == str(path)
    assert exc.value.key == "accelerators.0.dense_tflops.fp16"
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("accelerators: [\n")
    with pytest.raises(DataFileError, match="invalid YAML"):
        load_catalog_file(bad_yaml)
