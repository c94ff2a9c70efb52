"""Generate the labelled screening evaluation set (eval_set.csv) from the bundled Entity List sample.

Positives are true variants of listed names (Chinese characters, pinyin with and without spaces,
dropped or added legal forms, reordered tokens, misspellings, abbreviations, case/punctuation noise);
`expected` holds every acceptable entry id (siblings count when the query names no distinguishing
place). Negatives are hard: real unrelated Chinese and Taiwanese companies, names made only of the
generic words listed names use, near-brands, and listed names with the distinctive word swapped.
Deterministic (seeded); run `python benchmarks/screening/make_eval_set.py` to regenerate.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from pypinyin import lazy_pinyin

from computegate.screening import load_list
from computegate.screening.normalize import normalise

OUT = Path(__file__).with_name("eval_set.csv")
LEGAL = re.compile(
    r",?\s*(Co\.,? Ltd\.|Co\., Limited|Corporation Limited|Corporation|Co\.|Ltd\.|Limited)$"
)
CJK = re.compile(r"[\u4e00-\u9fff]")

REAL_NEGATIVES = [
    ("Alibaba Group Holding Limited", "CN"),
    ("阿里巴巴集团控股有限公司", "CN"),
    ("Tencent Holdings Ltd.", "CN"),
    ("腾讯控股有限公司", "CN"),
    ("Baidu, Inc.", "CN"),
    ("百度在线网络技术(北京)有限公司", "CN"),
    ("ByteDance Ltd.", "CN"),
    ("北京字节跳动科技有限公司", "CN"),
    ("Lenovo Group Limited", "CN"),
    ("联想集团有限公司", "CN"),
    ("Xiaomi Corporation", "CN"),
    ("小米科技有限责任公司", "CN"),
    ("BYD Company Limited", "CN"),
    ("比亚迪股份有限公司", "CN"),
    ("Contemporary Amperex Technology Co., Limited", "CN"),
    ("宁德时代新能源科技股份有限公司", "CN"),
    ("JD.com, Inc.", "CN"),
    ("NetEase, Inc.", "CN"),
    ("Meituan", "CN"),
    ("PDD Holdings Inc.", "CN"),
    ("Kuaishou Technology", "CN"),
    ("Midea Group Co., Ltd.", "CN"),
    ("Haier Smart Home Co., Ltd.", "CN"),
    ("Geely Automobile Holdings Limited", "CN"),
    ("NIO Inc.", "CN"),
    ("Li Auto Inc.", "CN"),
    ("XPeng Inc.", "CN"),
    ("Trip.com Group Limited", "CN"),
    ("Bilibili Inc.", "CN"),
    ("TCL Technology Group Corporation", "CN"),
    ("BOE Technology Group Co., Ltd.", "CN"),
    ("京东方科技集团股份有限公司", "CN"),
    ("Luxshare Precision Industry Co., Ltd.", "CN"),
    ("Sunny Optical Technology (Group) Company Limited", "CN"),
    ("GoerTek Inc.", "CN"),
    ("Hon Hai Precision Industry Co., Ltd.", "TW"),
    ("MediaTek Inc.", "TW"),
    ("Taiwan Semiconductor Manufacturing Company Limited", "TW"),
    ("Realtek Semiconductor Corp.", "TW"),
    ("ASUSTeK Computer Inc.", "TW"),
    ("Acer Incorporated", "TW"),
    ("Wistron Corporation", "TW"),
    ("Quanta Computer Inc.", "TW"),
    ("Inventec Corporation", "TW"),
    ("Naver Corporation", "KR"),
    ("Samsung Electronics Co., Ltd.", "KR"),
    ("SK hynix Inc.", "KR"),
    ("Sony Group Corporation", "JP"),
    ("Tokyo Electron Limited", "JP"),
    ("Infineon Technologies AG", "DE"),
]
GENERIC_NEGATIVES = [
    "Beijing Technology Development Co., Ltd.",
    "Shanghai Intelligent Technology Co., Ltd.",
    "Hangzhou Digital Technology Co., Ltd.",
    "Zhejiang Technology Co., Ltd.",
    "Tianjin Information Technology Co., Ltd.",
    "Guangzhou Integrated Circuit Co., Ltd.",
    "Wuhan Technology Co., Ltd.",
    "Shenzhen Cloud Computing Co., Ltd.",
    "Beijing Science and Technology Co., Ltd.",
    "Shanghai Network Technology Co., Ltd.",
    "Xiamen Information Co., Ltd.",
    "National Computing Center Shanghai",
    "Chengdu Intelligent Technology Co., Ltd.",
    "Hefei Information Technology Co., Ltd.",
    "北京科技开发有限公司",
    "上海智能科技有限公司",
    "深圳技术有限公司",
    "杭州数字技术股份有限公司",
    "Semiconductor Research Institute of Beijing",
    "Global Memory Technologies Ltd.",
]
NEAR_BRAND_NEGATIVES = [
    "Huaweida Electronics Co., Ltd.",
    "Shenzhen Huaweixin Trading Co., Ltd.",
    "Dahua Textile Co., Ltd.",
    "Yitu Logistics Co., Ltd.",
    "Phytium Biotech Ltd.",
    "Cambrian Education Group",
    "Sense Tech Co., Ltd.",
    "Megvision Optics Ltd.",
    "Moore Industries International Inc.",
    "Hikari Vision Systems Co., Ltd.",
    "Tiandi Science & Technology Co., Ltd.",
    "Sugar Information Industry Co., Ltd.",
    "Yangtze River Logistics Co., Ltd.",
    "Biren Capital Management Ltd.",
    "Higgs Technology Co., Ltd.",
    "iFlow Co., Ltd.",
    "Sunway Hotels Group",
    "Meiya Home Furnishing Co., Ltd.",
    "Hisense Co., Ltd.",
    "Dawning Bakery Co., Ltd.",
]
SWAP_WORDS = [
    "Sunrise",
    "Greenland",
    "Oriental",
    "Everbright",
    "Goldwind",
    "Starway",
    "Bluesky",
    "Newland",
    "Hengtong",
    "Longsheng",
    "Tianma",
    "Jinlong",
    "Huaxin",
    "Ruijie",
    "Kingsoft",
    "Zhongwang",
]


def misspell(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word[:-1] + ("e" if word[-1] != "e" else "a")
    i = rng.randrange(2, len(word) - 1)
    return (
        word[:i] + word[i + 1 :]
        if rng.random() < 0.5
        else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    )


def main() -> None:
    rng = random.Random(20260115)
    entries = load_list().entries
    rows: list[dict[str, str]] = []
    brand_family: dict[str, set[str]] = {}
    for e in entries:
        for text in (e.name, *e.alt_names):
            brand_family.setdefault(normalise(text).squashed, set()).add(e.id)

    def expected_for(query: str, own: str) -> str:
        fam = brand_family.get(normalise(query).squashed, set()) | {own}
        return ";".join(sorted(fam))

    def add(query: str, e_id: str, kind: str, country: str = "") -> None:
        rows.append(
            {
                "query": query,
                "country": country,
                "expected": expected_for(query, e_id),
                "kind": kind,
            }
        )

    for e in entries:
        country = sorted(e.countries)[0] if e.countries else ""
        chinese = next((a for a in e.alt_names if CJK.search(a) and len(a) >= 4), None)
        add(e.name, e.id, "exact", country)
        if chinese:
            add(chinese, e.id, "chinese_characters", country)
            syllables = [s for s in lazy_pinyin(chinese) if s.isalpha()]
            add(" ".join(s.capitalize() for s in syllables), e.id, "pinyin_spaced")
            add("".join(syllables), e.id, "pinyin_unspaced")
        bare = LEGAL.sub("", e.name).strip()
        if bare != e.name:
            add(bare, e.id, "dropped_legal_form", country)
        add(f"{bare} Group Holdings Co., Ltd.", e.id, "added_legal_form")
        tokens = bare.split()
        if len(tokens) >= 2:
            add(" ".join(reversed(tokens)), e.id, "reordered")
        core = max(normalise(e.name).core, key=len)
        match = re.search(re.escape(core), e.name, flags=re.IGNORECASE)
        if match and len(core) >= 5:
            add(
                e.name[: match.start()] + misspell(match.group(), rng) + e.name[match.end() :],
                e.id,
                "misspelling",
                country,
            )
        for short in (a for a in e.alt_names if not CJK.search(a) and len(a) < len(e.name) / 2):
            add(short, e.id, "abbreviation")
        add(re.sub(r"[.,()']", "", e.name).upper(), e.id, "case_punctuation")
    for name, country in REAL_NEGATIVES:
        rows.append(
            {"query": name, "country": country, "expected": "", "kind": "negative_real_company"}
        )
    for name in GENERIC_NEGATIVES:
        rows.append(
            {"query": name, "country": "CN", "expected": "", "kind": "negative_generic_words"}
        )
    for name in NEAR_BRAND_NEGATIVES:
        rows.append({"query": name, "country": "", "expected": "", "kind": "negative_near_brand"})
    for e in entries:
        core = max(normalise(e.name).core, key=len)
        match = re.search(re.escape(core), e.name, flags=re.IGNORECASE)
        if match:
            swapped = e.name[: match.start()] + rng.choice(SWAP_WORDS) + e.name[match.end() :]
            rows.append(
                {"query": swapped, "country": "", "expected": "", "kind": "negative_swapped_core"}
            )
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query", "country", "expected", "kind"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} queries written to {OUT}")


if __name__ == "__main__":
    main()
