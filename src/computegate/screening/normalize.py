"""Name normalisation for screening: scripts, legal forms, generic words, places, pinyin, acronyms.

A name becomes *core* tokens (what identifies the party) and *secondary* tokens (places and generic
words such as "Technology" or 科技), so that shared generic words neither create nor hide matches.
Chinese characters are romanised to pinyin, one token per run, so 华为 and "Hua Wei" and "Huawei"
meet; other scripts are transliterated to ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from pypinyin import lazy_pinyin

LEGAL_FORMS = frozenset(
    ["co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "gmbh", "ag", "sa", "srl", "bv", "nv", "pte", "pty", "jsc", "ojsc", "pjsc", "oao", "ooo", "zao", "kk", "lp", "llp", "sarl", "spa", "ab", "oy", "as"]
)
GENERIC = frozenset(
    ["group", "holding", "holdings", "technology", "technologies", "tech", "science", "sciences", "scientific", "information", "info", "development", "developments", "international", "intl", "industry", "industrial", "industries", "trading", "trade", "network", "networks", "digital", "intelligent", "intelligence", "electronic", "electronics", "system", "systems", "software", "investment", "advanced", "global", "and", "of", "the", "research", "institute", "center", "centre", "integrated", "circuit", "circuits", "semiconductor", "semiconductors", "microelectronics", "computing", "computer", "engineering", "equipment", "manufacturing", "import", "export", "services", "service", "branch", "design"]
)
PLACES = frozenset(
    ["china", "chinese", "prc", "beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "tianjin", "wuhan", "chengdu", "nanjing", "xian", "hefei", "suzhou", "wuxi", "jinan", "xiamen", "zhejiang", "anhui", "jiangsu", "guangdong", "hong", "kong", "hongkong", "macau", "macao", "kunshan", "chongqing", "qingdao", "shandong", "hunan", "hubei", "fujian", "sichuan", "zhengzhou", "dalian", "shenyang", "harbin", "changsha", "guiyang", "ningbo", "dongguan", "zhuhai", "foshan", "national", "hk"]
)
# Chinese legal forms, generic words and places (longest first, so 股份有限公司 wins over 有限公司).
CN_SECONDARY = sorted(
    ["股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "控股", "科技", "技术", "信息", "开发", "智能", "数字", "网络", "电子", "软件", "研究所", "研究院", "中心", "集成电路", "半导体", "微电子", "计算", "国家", "超级", "国际", "贸易", "投资", "先进", "设计", "北京市", "北京", "上海市", "上海", "深圳市", "深圳", "广州市", "广州", "杭州市", "杭州", "天津市", "天津", "武汉市", "武汉", "成都市", "成都", "南京市", "南京", "西安市", "西安", "合肥市", "合肥", "苏州市", "苏州", "无锡市", "无锡", "济南市", "济南", "厦门市", "厦门", "浙江省", "浙江", "安徽省", "安徽", "江苏省", "江苏", "广东省", "广东", "香港", "澳门", "昆山", "重庆市", "重庆", "贵阳", "中国"],
    key=len,
    reverse=True,
)
# The same words in pinyin, stripped from run-together romanisations ("huaweijishuyouxiangongsi").
PINYIN_SECONDARY = sorted(
    ["gufenyouxiangongsi", "youxianzerengongsi", "youxiangongsi", "fengongsi", "gongsi", "youxian", "zeren", "gufen", "jituan", "konggu", "keji", "jishu", "xinxi", "kaifa", "zhineng", "shuzi", "wangluo", "dianzi", "ruanjian", "yanjiusuo", "yanjiuyuan", "zhongxin", "jichengdianlu", "bandaoti", "weidianzi", "jisuan", "guojia", "chaoji", "guoji", "maoyi", "touzi", "xianjin", "sheji", "beijingshi", "beijing", "shanghaishi", "shanghai", "shenzhen", "guangzhou", "hangzhou", "tianjin", "wuhan", "chengdu", "nanjing", "xian", "hefei", "suzhou", "wuxi", "jinan", "xiamen", "zhejiang", "anhui", "jiangsu", "guangdong", "xianggang", "aomen", "kunshan", "chongqing", "guiyang", "zhongguo"],
    key=len,
    reverse=True,
)
TOKEN_ALIASES = {"hk": "hongkong", "macao": "macau", "intl": "international"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class NormalName:
    original: str
    core: tuple[str, ...]
    secondary: tuple[str, ...]

    @property
    def core_text(self) -> str:
        return " ".join(self.core)

    @property
    def squashed(self) -> str:
        """Core tokens run together: spacing-insensitive ("Hua Wei" = "Huawei")."""
        return "".join(self.core)

    @property
    def sorted_squashed(self) -> str:
        """Core tokens sorted and run together: order-insensitive."""
        return "".join(sorted(self.core))

    @property
    def all_text(self) -> str:
        return " ".join(self.core + self.secondary)


def _strip_pinyin(token: str) -> tuple[str, list[str]]:
    """Peel generic pinyin words off both ends of a run-together token."""
    removed: list[str] = []
    changed = True
    while changed:
        changed = False
        for word in PINYIN_SECONDARY:
            if token.endswith(word) and len(token) > len(word) + 2:
                token, changed = token[: -len(word)], True
                removed.append(word)
            elif token.startswith(word) and len(token) > len(word) + 2:
                token, changed = token[len(word) :], True
                removed.append(word)
    return token, removed


def _cjk_tokens(run: str) -> tuple[list[str], list[str]]:
    """A run of Chinese characters: secondary words out, the rest as one pinyin token per piece."""
    secondary: list[str] = []
    pieces = [run]
    for word in CN_SECONDARY:
        next_pieces: list[str] = []
        for piece in pieces:
            parts = piece.split(word)
            if len(parts) > 1:
                secondary.extend(["".join(lazy_pinyin(word))] * (len(parts) - 1))
            next_pieces.extend(p for p in parts if p)
        pieces = next_pieces
    core = ["".join(lazy_pinyin(p)) for p in pieces]
    return core, secondary


@lru_cache(maxsize=200_000)
def normalise(name: str) -> NormalName:
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    core: list[str] = []
    secondary: list[str] = []
    position = 0
    for match in CJK.finditer(text):
        _latin(text[position : match.start()], core, secondary)
        c, s = _cjk_tokens(match.group())
        core += c
        secondary += s
        position = match.end()
    _latin(text[position:], core, secondary)
    if not core:  # a name made only of generic words and places is identified by them
        core, secondary = secondary, []
    return NormalName(name, tuple(core), tuple(secondary))


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's own dictionary)."""
    from pypinyin.constants import PINYIN_DICT

    out = set()
    for value in PINYIN_DICT.values():
        for reading in value.split(","):
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c)
            )
            out.add(plain.replace("ü", "v"))
    return frozenset(out)


def _join_syllables(tokens: list[str]) -> list[str]:
    """Spaced pinyin ("Hua Wei Ji Shu") back into runs ("huaweijishu"); two or more syllables in a row."""
    syllables = pinyin_syllables()
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and token in syllables and token not in LEGAL_FORMS:
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) >= 2 else run)
        run = []
        if token:
            out.append(token)
    return out


def _latin(text: str, core: list[str], secondary: list[str]) -> None:
    raw = [TOKEN_ALIASES.get(t, t) for t in NON_ALNUM.split(anyascii(text).lower()) if t]
    tokens = _join_syllables(raw)
    for token in tokens:
        if token in LEGAL_FORMS:
            continue
        if token in GENERIC or token in PLACES:
            secondary.append(token)
            continue
        stripped, removed = _strip_pinyin(token)
        core.append(stripped)
        secondary.extend(removed)


def acronyms(name: str) -> set[str]:
    """Initialisms a party is known by: SMIC, YMTC (with and without the legal form)."""
    words = [w for w in NON_ALNUM.split(anyascii(unicodedata.normalize("NFKC", name)).lower()) if w]
    if len(words) < 3:
        return set()
    out = {"".join(w[0] for w in words)}
    trimmed = [
        w for w in words if w not in ("ltd", "limited", "inc", "llc", "plc", "of", "and", "the")
    ]
    out.add("".join(w[0] for w in trimmed))
    core = [w for w in trimmed if w not in LEGAL_FORMS]
    out.add("".join(w[0] for w in core))
    return {a for a in out if len(a) >= 3}
