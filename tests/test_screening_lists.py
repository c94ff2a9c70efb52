"""Real list files: OFAC's SDN legacy CSV set and BIS's Denied Persons List, loaded and screened."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from computegate.io.errors import DataFileError
from computegate.screening import Screener, load_list

LISTS = next(
    (
        p / "shared" / "data" / "lists"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "lists" / "ofac-2021-sdn.csv").is_file()
    ),
    None,
)
needs_lists = pytest.mark.skipif(LISTS is None, reason="shared/data/lists is not beside the repo")


@pytest.fixture(scope="module")
def sdn() -> Screener:
    assert LISTS is not None
    return Screener(load_list(LISTS / "ofac-2021-sdn.csv"))


@needs_lists
def test_sdn_set_loads_with_aliases_addresses_and_remarks(sdn: Screener) -> None:
    entries = {e.id: e for e in sdn.list.entries}
    assert len(entries) == sdn.list.identity.entries == 8976
    assert sum(len(e.alt_names) for e in entries.values()) == 11910
    assert sum(len(e.addresses) for e in entries.values()) == 11440
    bnc = entries["sdn-306"]
    assert bnc.name == "BANCO NACIONAL DE CUBA" and bnc.alt_names == ("NATIONAL BANK OF CUBA",)
    assert {"CH", "ES", "JP", "PA"} <= bnc.countries and bnc.programs == ("CUBA",)
    assert entries["sdn-4234"].type == "Vessel" and entries["sdn-9760"].type == "Individual"
    assert "Linked To: LAZARUS GROUP" in (entries["sdn-28263"].remarks or "")  # comments file


@needs_lists
@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("BANCO NACIONAL DE CUBA", "sdn-306"),
        ("Banco Nacional de Cuba S.A.", "sdn-306"),  # legal form added
        ("National Bank of Cuba", "sdn-306"),  # alias
        ("Banco Nacional de Cuba™ 🙂", "sdn-306"),  # symbols
        ("Alyaksandr Lukashenka", "sdn-9760"),  # given name first, patronymic dropped
        ("Александр Лукашенко", "sdn-9760"),  # Cyrillic
        ("Lukashenka Alexander Grigoryevich", "sdn-9760"),  # another transliteration
        ("Aleksandr Bortnikow", "sdn-31126"),  # German transliteration, no patronymic
        ("Tchemezov Sergei", "sdn-16685"),  # French transliteration
        ("Husayn Dehqan", "sdn-27845"),  # Persian vowels and gh/q
        ("MV Hermann", "sdn-4234"),  # vessel type prefix
        ("M/T Artavil", "sdn-15036"),
    ],
)
def test_real_sdn_names_and_variants_hit(sdn: Screener, query: str, entry_id: str) -> None:
    result = sdn.screen(query)
    assert result.hit and result.hits[0].entry_id == entry_id, result.hits[:2]


@needs_lists
@pytest.mark.parametrize(
    "query",
    [
        "Petrov, Alyaksandr Hryhoryavich",  # same given name and patronymic, another surname
        "Hermann Mueller",  # a vessel's name as a given name, with a surname
        "Sberbank PAO",  # designated only in 2022: not on the 2021 file
        "Banco Nacional de Panama",
    ],
)
def test_near_misses_on_the_sdn_do_not_hit(sdn: Screener, query: str) -> None:
    assert not sdn.screen(query).hit, sdn.screen(query).hits[:2]


@needs_lists
def test_sdn_identity_covers_every_file_of_the_set(tmp_path: Path) -> None:
    assert LISTS is not None
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        shutil.copy(LISTS / f"ofac-2021-{name}", tmp_path / f"x-{name}")
    full = load_list(tmp_path / "x-sdn.csv")
    (tmp_path / "x-alt.csv").unlink()
    primary = load_list(tmp_path / "x-sdn.csv")
    assert full.identity.sha256 != primary.identity.sha256
    assert not any(e.alt_names for e in primary.entries)  # the alias file is optional


def test_sdn_rows_with_the_wrong_width_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text('36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\n', encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_list(path)
    assert exc.value.key == "line 1" and "expected 12 fields" in exc.value.problem


@needs_lists
def test_denied_persons_list_loads_and_screens() -> None:
    assert LISTS is not None
    dpl = load_list(LISTS / "bis-dpl-2022.txt")
    assert dpl.identity.entries == len(dpl.entries) > 400  # 581 rows, one entry per name
    villa = next(e for e in dpl.entries if e.name == "AARON ABRAHAM VILLA")
    assert villa.addresses[0].city == "EL PASO" and villa.federal_register_notice
    assert Screener(dpl).screen("Villa, Aaron Abraham").hits[0].entry_id == villa.id


def test_denied_persons_list_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    path.write_text('"Name"\t"City"\n"X"\t"Y"\n', encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_list(path)
    assert exc.value.key == "line 1" and "Street_Address" in exc.value.problem
