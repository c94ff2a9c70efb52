"""Screening speed: 100,000 queries against a list of 50,000+ names, vs brute force, same run.

The list is SYNTHETIC (the real CSL has ~30,000 entries and is not bundled): names shaped like
Chinese company names — place + two-syllable pinyin brand + trade words + legal form, a tenth in
Chinese characters — generated with a fixed seed. Queries: half are variants of listed names
(typos, dropped legal forms, reordered words), half are names not on the list.
Brute force: rapidfuzz token_set_ratio of each query against every name (process.extractOne),
timed on a sample and scaled. Times are CPU times of this process (the wall clock is also shown
for the matcher): on a shared machine wall time measures the neighbours. Run: `python benchmarks/screening/speed.py [--entries N --queries M]`.
"""

from __future__ import annotations

import argparse
import random
import time

from pypinyin.constants import PINYIN_DICT
from rapidfuzz import fuzz, process, utils

from computegate.screening import Screener
from computegate.screening.lists import entries_from
from computegate.screening.normalize import pinyin_syllables

PLACES = [
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Guangzhou",
    "Hangzhou",
    "Tianjin",
    "Wuhan",
    "Chengdu",
    "Nanjing",
    "Suzhou",
    "Hefei",
    "Xiamen",
]
TRADES = [
    "Technology",
    "Electronics",
    "Information Technology",
    "Semiconductor",
    "Intelligent Technology",
    "Trading",
    "Precision Machinery",
    "Optoelectronics",
    "Microelectronics",
    "New Materials",
]
LEGAL = ["Co., Ltd.", "Co., Limited", "Group Co., Ltd.", "Corporation", "Holdings Limited"]
CN_PLACES = ["北京", "上海", "深圳", "广州", "杭州", "天津"]
CN_TRADES = ["科技", "电子", "信息技术", "半导体", "智能科技"]


def make_names(n: int, rng: random.Random) -> list[str]:
    syllables = sorted(s for s in pinyin_syllables() if len(s) >= 2)
    chars = [chr(cp) for cp in sorted(PINYIN_DICT) if 0x4E00 <= cp <= 0x9FFF][:3000]
    names: set[str] = set()
    while len(names) < n:
        if rng.random() < 0.1:
            names.add(
                f"{rng.choice(CN_PLACES)}{rng.choice(chars)}{rng.choice(chars)}{rng.choice(CN_TRADES)}有限公司"
            )
        else:
            brand = (rng.choice(syllables) + rng.choice(syllables)).capitalize()
            names.add(f"{rng.choice(PLACES)} {brand} {rng.choice(TRADES)} {rng.choice(LEGAL)}")
    return sorted(names)


def variant(name: str, rng: random.Random) -> str:
    words = name.split()
    choice = rng.random()
    if choice < 0.35 and len(words) > 2:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1 :]
        return " ".join(words)
    if choice < 0.7:
        return " ".join(w for w in words if w not in ("Co.,", "Ltd.", "Limited", "Corporation"))
    return " ".join(reversed(words))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    names = make_names(args.entries, rng)
    rows = [
        {"id": f"syn-{i}", "source": "synthetic", "name": n, "addresses": [{"country": "CN"}]}
        for i, n in enumerate(names)
    ]
    synthetic = entries_from(rows, "synthetic list (benchmark)")
    outsiders = make_names(args.queries // 2, random.Random(99))
    queries = [
        variant(rng.choice(names), rng) for _ in range(args.queries - len(outsiders))
    ] + outsiders
    rng.shuffle(queries)

    start, cpu_start = time.perf_counter(), time.process_time()
    screener = Screener(synthetic)
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    start, cpu_start = time.perf_counter(), time.process_time()
    hits = sum(screener.screen(q).hit for q in queries)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    sample = queries[:200]
    start = time.process_time()
    for q in sample:
        process.extractOne(q, names, scorer=fuzz.token_set_ratio, processor=utils.default_process)
    brute_per_query = (time.process_time() - start) / len(sample)

    print(
        f"list: {len(names):,} synthetic names; queries: {len(queries):,} ({hits:,} hits at the default threshold)"
    )
    print(f"index build: {build:.1f}s (CPU time {build_cpu:.1f}s)")
    print(
        f"computegate: {elapsed:.1f}s for {len(queries):,} queries = {len(queries) / elapsed:,.0f} queries/s"
        f" (CPU time {cpu:.1f}s = {len(queries) / cpu:,.0f} queries/s; the machine is shared)"
    )
    print(
        f"brute force token_set_ratio (CPU time on {len(sample)}, scaled): {brute_per_query * len(queries):,.0f}s = {1 / brute_per_query:,.0f} queries/s"
    )
    print(f"speed-up vs brute force (CPU time): {brute_per_query * len(queries) / cpu:,.1f}x")


if __name__ == "__main__":
    main()
