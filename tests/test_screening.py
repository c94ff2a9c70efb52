"""Restricted-party screening: list loaders, normalisation, matching, explanations, surfaces."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from computegate.io.errors import DataFileError
from computegate.rules import decide
from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list
from computegate.screening.lists import entries_from
from computegate.screening.normalize import (
    acronyms,
    hanzi_abbreviations,
    hanzi_sub_segments,
    normalise,
)
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(load_list())


def test_bundled_list_identity() -> None:
    lst = load_list()
    ident = lst.identity
    assert ident.entries == len(lst.entries) >= 30
    assert len(ident.sha256) == 64 and ident.source == "bundled:csl_sample.json"
    assert all(
        e.federal_register_notice and " FR " in e.federal_register_notice for e in lst.entries
    )
    assert load_list().identity.sha256 == ident.sha256  # same bytes, same identity


def test_csv_in_the_csl_layout(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "_id",
                "source",
                "entity_number",
                "type",
                "programs",
                "name",
                "title",
                "addresses",
                "federal_register_notice",
                "start_date",
                "end_date",
                "alt_names",
            ]
        )
        w.writerow(
            [
                "abc1",
                "Entity List (EL) - Bureau of Industry and Security",
                "",
                "Entity",
                "EAR",
                "Example Quantum Co., Ltd.",
                "",
                "1 Road, Hefei, CN; 2 Street, Hong Kong, HK",
                "89 FR 1, 1/2/24",
                "2024-01-02",
                "",
                "ExQ; 示例量子有限公司",
            ]
        )
    lst = load_list(path)
    (entry,) = lst.entries
    assert entry.id == "abc1"
    assert entry.alt_names == ("ExQ", "示例量子有限公司")
    assert entry.countries == frozenset({"CN", "HK"})
    assert Screener(lst).screen("示例量子").hit


@pytest.mark.parametrize(
    ("name", "content", "where", "problem"),
    [
        (
            "bad.json",
            '{"results": [\n{"name": "x", "source": "EL"},\n{oops}\n]}',
            "line 3",
            "invalid JSON",
        ),
        ("noname.json", '{"results": [{"source": "EL"}]}', "results.0", "no name"),
        ("nosource.json", '[{"name": "X"}]', "results.0", "no source"),
        ("shape.json", '{"results": 5}', "results", "expected a list"),
        ("nocol.csv", "name,programs\nX,EAR\n", "line 1", "missing column(s): source"),
        ("extra.csv", "name,source\nA,EL\nB,EL,surplus\n", "line 3", "more fields"),
        ("empty.csv", "name,source\nA,EL\n,EL\n", "line 3", "no name"),
        ("list.xml", "whatever", "(file)", "unsupported list format"),
        ("none.json", '{"results": []}', "(file)", "no entries"),
    ],
)
def test_malformed_lists_name_file_and_line(
    tmp_path: Path, name: str, content: str, where: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_list(path)
    assert exc.value.file == str(path)
    assert exc.value.key == where
    assert problem in exc.value.problem


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,source\nA,EL\nCaf\xe9 Ltd,EL\n".encode("latin-1"))
    with pytest.raises(DataFileError) as exc:
        load_list(path)
    assert exc.value.key == "line 3" and "UTF-8" in exc.value.problem


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("Huawei Technologies Co., Ltd.", ("huawei",)),
        ("华为技术有限公司", ("huawei",)),
        ("Hua Wei Ji Shu You Xian Gong Si", ("huawei",)),
        ("huaweijishuyouxiangongsi", ("huawei",)),
        ("北京市商汤科技开发有限公司", ("shangtang",)),
        ("Beijing SenseTime Technology Development Co., Ltd.", ("sensetime",)),
        ("中芯国际集成电路制造有限公司", ("zhongxin",)),
        ("ＨＵＡＷＥＩ　ＴＥＣＨＮＯＬＯＧＩＥＳ", ("huawei",)),  # full-width forms (NFKC)
        ("Московский Завод", ("moskovskiy", "zavod")),  # other scripts transliterated
        ("Moer Xiancheng Zhineng Keji", ("moer", "xiancheng")),  # xian-cheng is not Xi'an + cheng
        ("Beijingbaidu", ("baidu",)),  # a place run together in front is still peeled
    ],
)
def test_normalisation(name: str, core: tuple[str, ...]) -> None:
    assert normalise(name).core == core


@pytest.mark.parametrize(
    ("name", "org_words"),
    [
        ("PAO, Hua Chiang", ("pao",)),  # a surname rigour reads as a Russian legal form
        ("IS BANK, AO", ("is", "ao")),
        ("STROYTRANSGAZ Limited Liability Company", ("llc",)),  # compare form: = LLC
        ("STROYTRANSGAZ LLC", ("llc",)),
        ("CECOEX, S.A.", ("sa",)),
    ],
)
def test_org_types_weighted_down_never_deleted(name: str, org_words: tuple[str, ...]) -> None:
    assert normalise(name).org_words == org_words


def test_a_legal_form_rigour_reads_in_one_writing_only() -> None:
    # rigour takes "PTE. LTD." but not "PTE. Limited": what it took stays, weighted down, so
    # the query's "pte" meets the entry's (deleted, the entry's name had one word fewer)
    rows = [
        {"id": "a", "source": "SDN", "name": "ACME SPECTRUM (S) PTE. LTD.", "type": "Entity"},
        {"id": "b", "source": "SDN", "name": "NORTHWIND PTE. LTD.", "type": "Entity"},
    ]
    screener = Screener(entries_from(rows))
    for query, entry_id in [
        ("ACME SPECTRUM (S) PTE. Limited", "a"),
        ("Northwind Pte Limited", "b"),
    ]:
        result = screener.screen(query)
        assert result.hit and result.hits[0].entry_id == entry_id, result.hits


def test_generic_words_are_secondary_not_core() -> None:
    n = normalise("Beijing Technology Development Co., Ltd.")
    assert n.generic_only and set(n.core) == {"beijing", "technology", "development"}
    assert "beijing" in normalise("Beijing SenseTime Technology").secondary
    assert acronyms("Semiconductor Manufacturing International Corporation")["smi"] == 0
    assert acronyms("Semiconductor Manufacturing International Corporation")["smic"] == 1
    assert acronyms("Yangtze Memory Technologies Co., Ltd.")["ymtc"] == 1  # with its "Co."
    assert acronyms("Tiva Kara Co. Ltd.") == {"tkc": 1, "tkcl": 1}  # only a looser reading


@pytest.mark.parametrize(
    ("query", "country", "entry_id"),
    [
        ("华为技术有限公司", "CN", "cg-el-0001"),
        ("Hua Wei", None, "cg-el-0001"),
        ("Huawie Technologies", None, "cg-el-0001"),
        ("SMIC", None, "cg-el-0015"),
        ("中芯国际", None, "cg-el-0015"),
        ("Technology Development SenseTime Beijing", None, "cg-el-0007"),
        ("Moore Threads Shanghai", None, "cg-el-0031"),
        ("寒武纪(香港)有限公司", "HK", "cg-el-0023"),
        ("Yangtze Memory Technologies Group Holdings", None, "cg-el-0025"),
    ],
)
def test_true_variants_hit(
    screener: Screener, query: str, country: str | None, entry_id: str
) -> None:
    result = screener.screen(query, country)
    assert result.hit, result
    assert result.hits[0].entry_id == entry_id


@pytest.mark.parametrize(
    "query",
    [
        "Beijing Technology Development Co., Ltd.",
        "Huaweida Electronics Co., Ltd.",
        "Alibaba Group Holding Limited",
        "上海智能科技有限公司",
        "Moore Industries International Inc.",
        "Sugar Information Industry Co., Ltd.",
    ],
)
def test_hard_negatives_do_not_hit(screener: Screener, query: str) -> None:
    assert not screener.screen(query).hit


def test_hits_explain_themselves(screener: Screener) -> None:
    result = screener.screen("Huawei Technologies", "CN")
    hit = result.hits[0]
    exp = hit.explanation
    assert exp["list"].startswith("Entity List") and exp["entry_id"] == hit.entry_id
    assert exp["query_normalised"]["core"] == ["huawei"]
    assert {"name", "edit_similarity", "country"} <= set(exp["components"])
    assert hit.federal_register_notice == "84 FR 22961, 5/21/19"
    assert result.list.sha256 == load_list().identity.sha256


def test_country_disagreement_lowers_the_score(screener: Screener) -> None:
    same = screener.screen("Huawei Technologies", "CN").hits[0].score
    other = screener.screen("Huawei Technologies", "BR").hits[0].score
    assert other < same


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=60), st.sampled_from([None, "CN", "US", "HK"]))
def test_any_text_screens_cleanly(query: str, country: str | None) -> None:
    result = (
        Screener(load_list()).screen(query, country)
        if not hasattr(test_any_text_screens_cleanly, "s")
        else test_any_text_screens_cleanly.s.screen(query, country)
    )  # type: ignore[attr-defined]
    scores = [h.score for h in result.hits]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert result.hit == (bool(scores) and scores[0] >= DEFAULT_THRESHOLD)


test_any_text_screens_cleanly.s = Screener(load_list())  # type: ignore[attr-defined]


def test_evaluation_set_meets_targets() -> None:
    """The labelled set in benchmarks/: recall >= 0.98 and precision >= 0.95 at the default threshold."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "screening" / "evaluate.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("computegate"))
    precision = float(line.split("precision ")[1].split()[0])
    recall = float(line.split("recall ")[1].split()[0])
    assert recall >= 0.98 and precision >= 0.95, line


def test_screen_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "screen", "商汤科技", "--json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"query", "country", "list", "threshold", "hit", "hits"}
    assert payload["hit"] is True
    assert {"score", "entry_name", "matched_name", "source", "entry_id", "explanation"} <= set(
        payload["hits"][0]
    )
    assert payload["list"]["entries"] >= 30


def test_screen_cli_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "screen", "商汤科技", "--kind", "person", "--json")
    assert code == 0 and json.loads(out)["hit"] is False  # the list's SenseTime is an entity
    code, _, err = run(capsys, "screen", "商汤科技", "--kind", "ship")
    assert code == 2 and "--kind" in err and "Traceback" not in err


def test_screen_cli_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src, dst = tmp_path / "customers.csv", tmp_path / "hits.csv"
    pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["Hikvision", "Acme Widgets Inc.", "", "科大讯飞"],
            "country": ["CN", "US", "CN", None],
        }
    ).write_csv(src)
    code, _, err = run(capsys, "screen", "--input", str(src), "--output", str(dst))
    assert code == 0 and "4 names screened" in err
    out = pl.read_csv(dst)
    assert out.height == 4
    assert out["id"].to_list() == ["a", "b", "c", "d"]
    assert out["hit"].to_list() == [True, False, None, True]
    assert out["error"][2] == "name: empty"
    assert json.loads(out["hits"][0])[0]["entry_name"].startswith("Hangzhou Hikvision")


def test_screen_cli_bad_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "csl.json"
    bad.write_text('{"results": [\n{"name": "x"\n')
    code, _, err = run(capsys, "screen", "Huawei", "--list", str(bad))
    assert code == 2 and str(bad) in err and "line" in err and "Traceback" not in err


def test_decide_with_screening_cites_the_entry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "decide",
        "--item",
        "H20",
        "--to",
        "CN",
        "--date",
        "2026-03-01",
        "--end-user-json",
        '{"name": "Hangzhou Hikvision", "headquarters": "CN"}',
        "--screen",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert d["outcome"] == "license_required" and d["review_policy"] == "presumption_of_denial"
    (finding,) = [f for f in d["findings"] if f["rule"] == "744.11"]
    assert (
        "84 FR 54002" in finding["citation"]["cfr"] and "sha256" in finding["citation"]["document"]
    )


def test_screening_evidence_in_remote_access(screener: Screener) -> None:
    evidence = screener.screen("Megvii", "CN").evidence().model_dump()
    d = decide(
        {
            "kind": "remote_access",
            "date": "2026-03-01",
            "provider": {"country": "MY"},
            "datacenter_country": "MY",
            "accelerators": [{"item": "B200", "count": 64}],
            "customer": {
                "name": "Megvii",
                "country": "CN",
                "headquarters": "CN",
                "screening": evidence,
            },
            "overlays": ["rasa-senate"],
        }
    )
    assert any(f.rule == "remote.listed_customer" for f in d.findings)
    assert any(f.rule == "remote_access.as_export.744.11" for f in d.findings)


def test_batch_decisions_with_screening(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src, dst = tmp_path / "orders.csv", tmp_path / "decisions.csv"
    pl.DataFrame(
        {
            "kind": ["export"] * 3,
            "date": ["2026-03-01"] * 3,
            "item": ["H100"] * 3,
            "to_country": ["DE"] * 3,
            "end_user_name": ["Hangzhou Hikvision Digital", "Siemens AG", None],
            "end_user_headquarters": ["DE"] * 3,
        }
    ).write_csv(src)
    code, _, _ = run(capsys, "decide", "--input", str(src), "--output", str(dst), "--screen")
    assert code == 0
    out = pl.read_csv(dst, infer_schema=False)
    assert out["outcome"].to_list() == ["license_required", "no_license_required", None]
    assert "744.11" in out["finding_rules"][0] and "screening" in out["finding_rules"][1]
    assert out["error"][2] == "end_user.name: screening needs the party's name"


@pytest.mark.parametrize(
    ("name", "core", "secondary"),
    [
        ("華為技術有限公司", ("huawei",), ("jishu",)),  # traditional characters (OpenCC)
        ("Hua-wei Chi-shu Yu-hsien Kung-ssu", ("huawei",), ("chishu",)),  # Wade-Giles
        ("Huawei Jishu Youxian Gongsi", ("huawei",), ("jishu",)),  # "youxian" is no Xi'an
        ("Beijing Zhongke Xinxi Chanye", ("zhongke",), ("beijing", "xinxi", "chanye")),
        ("丹东鸿祥实业发展有限公司", ("hongxiang",), ("dandong", "shiye", "fazhan")),
        ("Huawei™ 🙂", ("huawei",), ()),  # symbols carry no identity (™ is not "TM")
        ("MV Iran Hormuz No. 22", ("iran", "hormuz", "22"), ()),  # vessel prefix, number sign
        ("Ana I", ("ana", "1"), ()),  # sister ships: roman numerals
        ("M/T Ana II", ("ana", "2"), ()),  # (before rigour, which reads "II" as a legal form)
        ("Publichnoe Aktsionernoe Obshchestvo Gazprom", ("gazprom",), ()),  # rigour legal forms
        ("HAVANATUR, S.A. DE C.V.", ("havanatur",), ()),
    ],
)
def test_one_pipeline_for_scripts_forms_and_symbols(
    name: str, core: tuple[str, ...], secondary: tuple[str, ...]
) -> None:
    n = normalise(name)
    assert (n.core, n.secondary) == (core, secondary)


@given(
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8), min_size=1),
    st.sampled_from(["™", "®", "©", "🙂", "★", "🚀", "✓", "→"]),
    st.integers(min_value=0),
)
def test_symbols_never_change_a_name(words: list[str], symbol: str, at: int) -> None:
    spot = at % (len(words) + 1)
    with_symbol = [*words[:spot], symbol, *words[spot:]]
    assert normalise(" ".join(with_symbol)).core == normalise(" ".join(words)).core


@pytest.fixture(scope="module")
def mixed() -> Screener:
    rows = [
        {"id": "uni", "source": "EL", "name": "Harbin Institute of Technology",
         "alt_names": ["哈尔滨工业大学"], "addresses": [{"country": "CN"}]},
        {"id": "dd", "source": "SDN", "name": "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD"},
        {"id": "ana1", "source": "SDN", "name": "ANA 1", "type": "Vessel"},
        {"id": "ana2", "source": "SDN", "name": "ANA 2", "type": "Vessel"},
        {"id": "uday", "source": "SDN", "name": "AL-TIKRITI, Uday Saddam Hussein", "type": "Individual"},
        {"id": "pavel", "source": "SDN", "name": "IVANOV, Pavel Sergeyevich", "type": "Individual"},
        {"id": "hw", "source": "EL", "name": "Huawei Technologies Co., Ltd."},
        {"id": "hwc", "source": "EL", "name": "Huawei Cloud Computing Technologies Co., Ltd."},
    ]  # fmt: skip
    return Screener(entries_from(rows))


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("哈工大", "uni"),  # first-character abbreviation of the hanzi name
        ("Ha Gong Da", "uni"),  # the same in pinyin
        ("Harbin Inst. of Tech.", "uni"),  # Latin abbreviations
        ("HARB1N lNSTITUTE 0F TECHNOLOGY", "uni"),  # OCR confusions
        ("丹东鸿祥实业发展有限公司", "dd"),  # hanzi query, pinyin-only entry
        ("Dan Dong Hong Xiang Shi Ye Fa Zhan You Xian Gong Si", "dd"),  # spaced pinyin
        ("M/T Ana I", "ana1"),  # vessel prefix, roman numeral
        ("MV ANA No. 2", "ana2"),
        ("Odai Saddam Hussein el-Tikriti", "uday"),  # order, article, vowels
        ("Pavel Ivanov", "pavel"),  # patronymic dropped, given name first
        ("Huawei", "hw"),  # the group, not the subsidiary sharing its brand
        ("Huawei Cloud", "hwc"),
    ],
)
def test_variants_meet_their_entry(mixed: Screener, query: str, entry_id: str) -> None:
    result = mixed.screen(query)
    assert result.hit and result.hits[0].entry_id == entry_id, result.hits[:2]


@pytest.mark.parametrize(
    "query",
    [
        "ANA 3",  # a sister ship that is not listed
        "Sidorov, Pavel Sergeyevich",  # same given name and patronymic, another surname
        "Harbin Electric Company",  # shares a place, nothing distinctive
    ],
)
def test_near_misses_stay_below_the_threshold(mixed: Screener, query: str) -> None:
    assert not mixed.screen(query).hit, mixed.screen(query).hits[:2]


def test_generated_test_half_meets_the_floor() -> None:
    """The generated set's test half (benchmarks/screening/generate.py): a regression floor."""
    if not any((p / "shared" / "data" / "lists").is_dir() for p in ROOT.parents):
        pytest.skip("shared/data/lists is not beside the repo")
    out = subprocess.run(
        [sys.executable, "evaluate.py", "--generated", "test", "--no-baseline"],
        cwd=ROOT / "benchmarks" / "screening",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("computegate"))
    precision = float(line.split("precision ")[1].split()[0])
    recall = float(line.split("recall ")[1].split()[0])
    assert precision >= 0.95 and recall >= 0.90, line


def test_hanzi_short_forms_with_their_strength() -> None:
    assert hanzi_abbreviations("哈尔滨工业大学") == {"哈工大": 0}  # the place kept
    forms = hanzi_abbreviations("杭州海康威视数字技术股份有限公司")
    assert forms["海威数技"] == 0  # every word by its initial (威视 kept as one word)
    assert "海康威视数技" not in forms  # a run with generic initials is no form anyone uses
    assert hanzi_abbreviations("Huawei") == {}


def test_hanzi_sub_segments() -> None:
    forms = hanzi_sub_segments("中科寒武纪科技股份有限公司")
    assert forms == ["寒武纪", "寒武纪科技"]  # without its prefix 中科; not 武纪, not the core
    assert hanzi_sub_segments("安徽寒武纪信息科技有限公司") == []  # a place is no prefix


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("海威数技", "cg-el-0010"),
        ("寒武纪科技", "cg-el-0021"),  # not Anhui Cambricon Information Technology
        ("Hanwuji Keji", "cg-el-0021"),  # the same short form in pinyin
        ("Han Wu Ji Ke Ji", "cg-el-0021"),
        ("哈工大", None),
    ],
)
def test_hanzi_short_forms_screen(screener: Screener, query: str, entry_id: str | None) -> None:
    result = screener.screen(query)
    assert (result.hits[0].entry_id if result.hit else None) == entry_id, result.hits[:2]


def test_short_form_two_entries_share_is_reported_below_the_threshold(screener: Screener) -> None:
    result = screener.screen("摩线智科")  # Moore Threads (Beijing) and (Shanghai)
    assert not result.hit and len(result.hits) >= 2
    assert all(h.explanation["components"]["ambiguous_acronym"] for h in result.hits[:2])


@pytest.fixture(scope="module")
def parties() -> Screener:
    rows = [
        {"id": "ship", "source": "SDN", "name": "ARMAN", "type": "Vessel"},
        {"id": "firm", "source": "SDN", "name": "ARMAN SHIPPING COMPANY", "type": "Entity"},
        {"id": "tkc", "source": "SDN", "name": "TET KHAM CONSTRUCTION COMPANY LIMITED", "type": "Entity"},
        {"id": "tk", "source": "SDN", "name": "TIVA KARA CO. LTD.", "type": "Entity"},
        {"id": "p1", "source": "SDN", "name": "TAN, Kim Chol", "type": "Individual"},
        {"id": "h1", "source": "SDN", "name": "HAMOON SEPAHAN INVESTMENT", "type": "Entity"},
        {"id": "h2", "source": "SDN", "name": "HEKMAT SINA INDUSTRIES", "type": "Entity"},
    ]  # fmt: skip
    return Screener(entries_from(rows))


@pytest.mark.parametrize(
    ("query", "kind", "entry_id"),
    [
        ("Arman Co., Ltd.", None, "firm"),  # a legal form: a company, never the vessel
        ("Arman LLC", None, "firm"),  # a company named Arman: the vessel is no answer
        ("MV Arman", None, "ship"),  # a vessel prefix: a vessel
        ("Arman Trading", None, "firm"),  # a trade word: a company's name, never the vessel's
        ("Arman", "vessel", "ship"),
        ("Arman", "entity", "firm"),
        ("TKC", None, "tkc"),  # initials of its words; Tiva Kara Co. only by a looser reading
        ("TKC", "person", None),  # people are not known by initials here
        ("HSI", None, None),  # two entries' initials at the same strength: neither
    ],
)
def test_party_kind_and_initials(
    parties: Screener, query: str, kind: str | None, entry_id: str | None
) -> None:
    result = parties.screen(query, kind=kind)
    assert (result.hits[0].entry_id if result.hit else None) == entry_id, result.hits[:2]
    assert all(h.entry_id != "ship" for h in result.hits) or result.kind in ("vessel", None)


def test_kind_is_checked(parties: Screener) -> None:
    with pytest.raises(ValueError, match="kind"):
        parties.screen("Arman", kind="ship")
    assert parties.screen("Arman Co., Ltd.").kind == "entity"
    assert parties.screen("M/T Arman").kind == "vessel"


@pytest.mark.parametrize(
    ("rule", "name", "key", "strength"),
    [
        ("apostrophes_join_hyphens_split", "ANSAR AL-SHARI'A IN BENGHAZI", "aasib", 0),
        ("some_connectors_kept", "AL-QA'IDA IN THE ARABIAN PENINSULA", "aqap", 1),
        ("dotted_legal_tail_dropped", "INVERSIONES CULZAT GUEVARA Y CIA. S.C.S.", "icg", 0),
        ("dotted_legal_tail_dropped", "TRUST LIFE INSURANCE COMPANY S.A.L.", "tli", 0),
        ("numbers_dropped", "GRUPO CONTROL SYSTEM 2004, C.A.", "gcs", 0),
        ("company_words_dropped_one_at_a_time", "TOSE-E DIDAR IRANIAN HOLDING COMPANY", "tedih", 1),
        ("legal_tail_with_its_connectors", "DIZRIVER Y CIA. S. EN C.", "dyc", 0),
    ],
)
def test_acronym_readings(rule: str, name: str, key: str, strength: int) -> None:
    assert acronyms(name).get(key) == strength, (rule, acronyms(name))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text("bcdfghjkmnprstvz", min_size=2, max_size=3), min_size=3, max_size=5),
    st.sampled_from(["", " LLC", " Co., Ltd.", " S.A. de C.V.", " Holding Company"]),
    st.data(),
)
def test_an_entrys_own_initials_retrieve_it(
    stems: list[str], form: str, data: st.DataObject
) -> None:
    """Any strongest initialism of an organisation's name retrieves it, on a list where no other
    entry has those initials (one that reads as a legal form or generic word is not looked up)."""
    name = " ".join(s + "ol" for s in stems).upper() + form  # made-up words, never generic
    keys = sorted(k for k, strength in acronyms(name).items() if strength == 0)
    key = data.draw(st.sampled_from(keys))
    assume(normalise(key).core == (key,))
    lone = Screener(entries_from([{"id": "x", "source": "SDN", "name": name, "type": "Entity"}]))
    result = lone.screen(key.upper())
    assert result.hit and result.hits[0].explanation["alias_kind"] == "acronym", result.hits


@pytest.mark.parametrize(
    ("rule", "query", "entry_id"),
    [
        ("siblings_all_aligned", "壁仞集成电路", "cg-el-0029"),  # Biren IC, not Biren Technology
        ("initials_name_no_place", "中国集制", "cg-el-0015"),  # SMIC: 中 of 中芯 is not China
        ("sub_segment_beats_sibling", "寒武纪科技", "cg-el-0021"),  # 中科寒武纪科技, not 安徽…
        ("wade_giles_singles_paired", "Chung-hsin Kuo-chi", "cg-el-0015"),
    ],
)
def test_chinese_short_forms_and_siblings(
    screener: Screener, rule: str, query: str, entry_id: str
) -> None:
    result = screener.screen(query)
    assert result.hit and result.hits[0].entry_id == entry_id, (rule, result.hits[:2])


@pytest.fixture(scope="module")
def organisations() -> Screener:
    rows = [
        {"id": "uda", "source": "SDN", "name": "ULSTER DEFENCE ASSOCIATION", "type": "Entity"},
        {"id": "mid", "source": "SDN", "name": "MUNITIONS INDUSTRY DEPARTMENT", "type": "Entity"},
        {"id": "kanat", "source": "SDN", "name": "ORLOV, Kanat", "type": "Individual"},
        {"id": "mmt", "source": "SDN", "name": "METAL & MINERAL TRADE S.A.R.L.", "alt_names": ["M.M.T."]},
        {"id": "cec", "source": "SDN", "name": "CEC LIMITED", "type": "Entity"},
        {"id": "sig", "source": "SDN", "name": "SIG", "type": "Vessel"},
        {"id": "sighs", "source": "SDN", "name": "SPECTRUM INVESTMENT GROUP HOLDING SAL", "type": "Entity"},
        {"id": "nitc", "source": "SDN", "name": "N.I.T.C. REPRESENTATIVE OFFICE",
         "alt_names": ["NATIONAL IRANIAN TANKER COMPANY"]},
        {"id": "nitc-llc", "source": "SDN", "name": "NATIONAL IRANIAN TANKER COMPANY LLC"},
    ]  # fmt: skip
    return Screener(entries_from(rows))


@pytest.mark.parametrize(
    ("rule", "query", "entry_id"),
    [
        ("organisation_words_contracted", "ULSTER DEFENCE Assn.", "uda"),
        ("organisation_words_contracted", "MUNITIONS INDUSTRY Dept.", "mid"),
        ("people_are_not_contracted", "Orlov, Knt", None),
        ("capitals_spelt_as_written", "MTT", None),  # not M.M.T. with its double letter folded
        ("three_letters_are_not_one", "CCCEC", None),  # CEC: neither a fold nor a contraction
        ("capitals_that_are_initials", "SIGHS", "sighs"),  # not the vessel SIG abbreviated
        (
            "equal_scores_go_to_the_closer_written_form",
            "Natl Iranian Tanker Company LLC",
            "nitc-llc",
        ),
    ],
)
def test_abbreviations_and_initialisms(
    organisations: Screener, rule: str, query: str, entry_id: str | None
) -> None:
    result = organisations.screen(query)
    assert (result.hits[0].entry_id if result.hit else None) == entry_id, (rule, result.hits[:2])


def test_generated_acronyms_leave_legal_forms_out() -> None:
    """The generator's acronym procedure (benchmarks/screening/generate.py), on real SDN names."""
    sys.path.insert(0, str(ROOT / "benchmarks" / "screening"))
    try:
        from generate import acronym_words
    finally:
        sys.path.pop(0)
    initials = {
        name: "".join(w[0] for w in acronym_words(name)).upper()
        for name in [
            "LAMA FOODS S.A.R.L.",  # was LFR: the R of S.A.R.L.
            "DIZRIVER Y CIA. S. EN C.",  # was DCE
            "OPEN JOINT STOCK COMPANY KRASNODAR REGIONAL INVESTMENT BANK",  # was OJSKRIB
            "PARS GHA'EM GOSTAR",  # was PGEG: Gha'em is one word
        ]
    }
    assert list(initials.values()) == ["LF", "D", "KRIB", "PGG"], initials


def test_initials_come_from_names_in_latin_letters(screener: Screener) -> None:
    """A hanzi name transliterated letter by letter (摩尔线程…(北京) → "MBY") or its Wade-Giles
    alias yields no initialism a party is known by."""
    assert not screener.screen("MBY").hit, screener.screen("MBY").hits[:1]
