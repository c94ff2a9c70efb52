"""Generate labelled screening variants from real list entries, split by entity into dev and test.

The list is the real 2021 OFAC SDN set, the 2019 CSL extract and the bundled Entity List sample
(~9,100 entries; ``evaluation_list()``). Every variant is made from one list entry by one documented
procedure (a *kind*, below), and the entry decides the half: ``dev`` when the first byte of
sha1(entry id) is even, else ``test`` — all variants of an entity land in the same half, so
tuning on dev never sees a test entity. ``expected`` lists every entry carrying the source alias
(the SDN repeats some names), and every entry listing the query itself. Negatives are labelled with no expected entry and are checked not to
be any listed name. The procedures use their own tools and tables (pypinyin, jieba's dictionary
and part-of-speech tags, OpenCC, the transliteration tables below), never the matcher's word
lists. Deterministic (seeded). Run: `python benchmarks/screening/generate.py`.

Kinds (positives):
- pinyin_spaced: a hanzi alias romanised word by word (jieba words, pypinyin), capitalised and
  spaced, legal forms and trade words included ("Hua Wei Ji Shu You Xian Gong Si", "Huawei Jishu
  Youxian Gongsi"); for Latin pinyin names, the run-together brand spaced by syllable.
- traditional: a hanzi alias converted to traditional characters (OpenCC s2t).
- latin_abbreviation: English words abbreviated (Univ., Inst., Tech., Intl, Corp, ...); or the
  initials of the name's words when no other entry has them.
- short_chinese: the short forms Chinese companies go by, from the structure the enterprise-name
  rules give a company name (企业名称登记管理规定, State Council Decree 734 of 2020, art. 6:
  place + trade name 字号 + industry 行业 + legal form): the name without its legal form,
  parenthesised places and leading place (core); for a company (a legal form 公司 at the end), its
  trade name alone when 3+ characters (海康威视, 摩尔线程), else with its first industry word
  (商汤科技, 长江存储) or, for a company limited by shares (股份有限公司), with 股份 (大华股份, the
  pattern of stock-exchange short names), and the trade name's last word of 3+ characters without the prefix before
  it, alone and with the first industry word (中科寒武纪科技 -> 寒武纪, 寒武纪科技). A leading word is
  a place when jieba tags it one (ns) and the entry says so: its pinyin is the entry's address
  city or state or the first word of its name (杭州 of Hangzhou Hikvision; not 长江 of Yangtze
  Memory, 江南 of Wuxi Jiangnan, 美亚 of Xiamen Meiya Pico). Characters jieba leaves single are
  joined (壁+仞 = 壁仞). Industry words are INDUSTRY_WORDS (this file's own table); a jieba word made only of
  them is one. A form that is a listed name, shorter than 3 characters, or that another entry also
  yields is left out (it tests nothing or names neither). No first-character abbreviations
  (哈工大): the earlier procedure took the first character of every jieba word (海先技投, 科讯飞,
  中国集制), forms nobody uses, and stripped jieba "ns" words that are brands (长江 -> 存储科技,
  江南 -> 计算技术研究所, another institute's name); the universities that go by such forms
  carry no hanzi on these lists. ``check_short_forms`` reports how many of the lists' own hanzi
  short aliases the procedure derives from the entry's full names.
- ocr: two OCR-like confusions (m->rn, w->vv, I<->l, O->0, S->5, e->c, B->8) anywhere in the name.
- wade_giles: a hanzi alias romanised in Wade-Giles (pypinyin Style.WADEGILES), words hyphenated.
- symbols: a trademark sign, emoji or decorative symbol added to or inside the name.
- russian_person: an SDN individual with a patronymic: patronymic dropped, given name first, or
  the surname respelt in German/French/ICAO transliteration, or written in Cyrillic.
- arabic_person: a name with an Arabic article or common Arabic given names: al-/el-/ad- articles
  respelt, joined or dropped; vowel and consonant alternations (u/o, i/e, ay/ei, ou/u, dh/z).
- legal_form: a legal form written out, abbreviated or in the local language (LLC <-> Limited
  Liability Company, OOO <-> Obshchestvo s Ogranichennoy Otvetstvennostyu, S.A. <-> Sociedad Anonima).
- vessel: an SDN vessel with a type prefix (MV, M/T, M.V., Tanker) and its number respelt
  (No. 1, 1, I).
- hanzi_vs_pinyin: a real hanzi name queried against an entry known only in pinyin. None of the
  real list files carries hanzi (checked: the SDN set, the CSL extract), so the entries are the
  bundled ones with a hanzi alias whose Latin name spells its brand in pinyin; for those with an
  odd second byte of sha1(id) (``withheld``) the hanzi aliases are left out of the evaluation list
  and queried: the whole name and its short form (as short_chinese). No hanzi is made up.
Kinds (negatives):
- near_miss_person: an individual's given names with a surname taken from another individual,
  unless a listed person has that surname and one of those given names.
- near_miss_vessel: a vessel name with its number changed to one no listed vessel has.
- near_miss_company: a company name of 1-4 significant words with its rarest word on the list
  (4+ letters) replaced by a made-up pronounceable word that no listed name contains.
- real_company: well-known companies that are on none of these lists.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg
import opencc
from pypinyin import Style, lazy_pinyin, pinyin

from computegate.screening.lists import ListEntry, ListIdentity, ScreeningList, load_list
from computegate.screening.normalize import pinyin_syllables

LISTS = next(
    (
        p / "shared" / "data" / "lists"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "lists").is_dir()
    ),
    Path("shared/data/lists"),
)  # the shared/ folder beside the repository (or above its worktree)
OUT = Path(__file__).with_name("generated_set.csv")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
CN_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|公司)$")
CN_LEGAL_ANY = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|公司)")
# Industry words (行业或经营特点) a company name carries after its trade name: the generator's own
# table (common business lines of technology, trade and manufacturing names), not the matcher's.
INDUSTRY_WORDS = frozenset([
    "科技", "技术", "信息", "产业", "数字", "网络", "智能", "电子", "微电子", "半导体", "集成电路", "芯片", "软件", "计算",
    "云计算", "存储", "通信", "通讯", "设备", "装备", "仪器", "材料", "新材料", "能源", "投资", "贸易", "商贸", "进出口",
    "实业", "发展", "开发", "国际", "工业", "制造", "设计", "研究", "研究所", "研究院", "中心", "控股", "物流", "航运", "工程",
    "系统", "光电", "精密", "机械", "先进", "服务", "咨询", "生物", "医药", "汽车",
])  # fmt: skip

ABBREVIATIONS = {
    "university": "Univ.",
    "institute": "Inst.",
    "technology": "Tech.",
    "technologies": "Techs.",
    "international": "Intl",
    "corporation": "Corp.",
    "industrial": "Ind.",
    "industries": "Inds.",
    "engineering": "Eng.",
    "academy": "Acad.",
    "science": "Sci.",
    "sciences": "Scis.",
    "national": "Natl",
    "manufacturing": "Mfg.",
    "development": "Dev.",
    "electronics": "Elec.",
    "association": "Assn.",
    "department": "Dept.",
    "trading": "Trdg.",
    "services": "Svcs.",
    "information": "Info.",
    "research": "Res.",
}
LEGAL_FORMS = [  # (as written on lists, written out / local language)
    ("LLC", "Limited Liability Company"),
    ("OOO", "Obshchestvo s Ogranichennoy Otvetstvennostyu"),
    ("OAO", "Otkrytoe Aktsionernoe Obshchestvo"),
    ("PAO", "Publichnoe Aktsionernoe Obshchestvo"),
    ("ZAO", "Zakrytoe Aktsionernoe Obshchestvo"),
    ("JSC", "Joint Stock Company"),
    ("PJSC", "Public Joint Stock Company"),
    ("S.A. de C.V.", "Sociedad Anonima de Capital Variable"),
    ("S.A.", "Sociedad Anonima"),
    ("S.R.L.", "Sociedad de Responsabilidad Limitada"),
    ("LTDA", "Limitada"),
    ("GmbH", "Gesellschaft mit beschraenkter Haftung"),
    ("CO., LTD.", "Company Limited"),
    ("CO. LTD.", "Company Limited"),
    ("LTD.", "Limited"),
    ("INC.", "Incorporated"),
    ("CORP.", "Corporation"),
    ("FZE", "Free Zone Establishment"),
    ("Limited Liability Company", "LLC"),
    ("Joint Stock Company", "AO"),
    ("Company Limited", "Co. Ltd"),
]
GERMAN = [("kh", "ch"), ("zh", "sch"), ("sh", "sch"), ("ch", "tsch"), ("v", "w"), ("y", "j")]
FRENCH = [("kh", "kh"), ("sh", "ch"), ("ch", "tch"), ("u", "ou"), ("v", "v"), ("y", "ï")]
ICAO = [("iy", "ii"), ("ya", "ia"), ("yu", "iu"), ("yev", "iev"), ("y", "i")]
CYRILLIC = [
    ("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"),
    ("ya", "я"), ("ye", "е"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"),
    ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"),
]  # fmt: skip
ARABIC_ALTERNATIONS = [("ou", "u"), ("u", "o"), ("ay", "ei"), ("ai", "ei"), ("dh", "z"),
                       ("ee", "i"), ("i", "e"), ("q", "k"), ("mm", "m")]  # fmt: skip
OCR = [("m", "rn"), ("w", "vv"), ("I", "l"), ("l", "I"), ("O", "0"), ("o", "0"), ("S", "5"),
       ("e", "c"), ("B", "8"), ("i", "l"), ("W", "VV"), ("M", "RN")]  # fmt: skip
SYMBOLS = ["™", "®", "©", " 🙂", " ★", "🚀 ", " ✓", "※"]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
VESSEL_PREFIXES = ["MV ", "M/T ", "M.V. ", "Tanker ", "MT "]
EN_TO_HANZI = {"industrial": "实业", "development": "发展", "trading": "贸易", "technology": "科技",
               "international": "国际", "import": "进口", "export": "出口", "group": "集团",
               "electronics": "电子", "investment": "投资", "logistics": "物流",
               "shipping": "航运", "industry": "工业"}  # fmt: skip
REAL_COMPANIES = [
    "Alibaba Group Holding Limited", "阿里巴巴集团控股有限公司", "Tencent Holdings Ltd.",
    "腾讯控股有限公司", "Baidu, Inc.", "ByteDance Ltd.", "北京字节跳动科技有限公司",
    "Lenovo Group Limited", "Xiaomi Corporation", "小米科技有限责任公司", "BYD Company Limited",
    "Contemporary Amperex Technology Co., Limited", "JD.com, Inc.", "NetEase, Inc.",
    "Midea Group Co., Ltd.", "Haier Smart Home Co., Ltd.", "Geely Automobile Holdings Limited",
    "MediaTek Inc.", "Taiwan Semiconductor Manufacturing Company Limited", "Acer Incorporated",
    "Samsung Electronics Co., Ltd.", "Sony Group Corporation", "Infineon Technologies AG",
    "Siemens Aktiengesellschaft", "Gazprom Neft PJSC", "Aeroflot PJSC", "Maersk Line A/S",
    "Saudi Arabian Oil Company", "Emirates Airline", "Qatar National Bank", "Petrobras S.A.",
    "Banco Santander S.A.", "Nestle S.A.", "Deutsche Bank AG", "Toyota Motor Corporation",
]  # fmt: skip


def evaluation_list() -> ScreeningList:
    """SDN 2021 + CSL extract + the bundled Entity List sample, as one list; the hanzi aliases of
    the ``withheld`` entries left out (they are queried as hanzi_vs_pinyin)."""
    parts = [
        load_list(LISTS / "ofac-2021-sdn.csv"),
        load_list(LISTS / "csl-extract-2019.csv"),
        load_list(),
    ]
    held = withheld_hanzi()
    entries = tuple(
        e.model_copy(update={"alt_names": tuple(a for a in e.alt_names if not CJK.search(a))})
        if e.id in held
        else e
        for p in parts
        for e in p.entries
    )
    identity = ListIdentity(
        source="evaluation list: " + " + ".join(p.identity.source for p in parts),
        sha256=hashlib.sha256("".join(p.identity.sha256 for p in parts).encode()).hexdigest(),
        loaded_at=parts[0].identity.loaded_at,
        entries=len(entries),
    )
    return ScreeningList(identity, entries)


def pinyin_brand(e: ListEntry) -> bool:
    """A hanzi alias and a Latin name that spells 2+ syllables of it, not a place (jieba tag ns),
    in pinyin (Huawei)."""
    hanzi = [a for a in (e.name, *e.alt_names) if CJK.search(a)]
    latin = [w.lower() for a in (e.name, *e.alt_names) for w in LATIN_WORD.findall(a)]
    spelt = {
        "".join(lazy_pinyin("".join(p.word for p in jieba.posseg.lcut(a) if p.flag != "ns")))
        for a in hanzi
    }
    return any(
        len(w) >= 4 and len(syllabify(w) or []) >= 2 and any(w in p for p in spelt) for w in latin
    )


@lru_cache(maxsize=1)
def withheld_hanzi() -> dict[str, list[str]]:
    """The hanzi aliases withheld from the evaluation list, by entry id (see hanzi_vs_pinyin)."""
    return {
        e.id: [a for a in e.alt_names if CJK.search(a)]
        for e in load_list().entries
        if not CJK.search(e.name)
        and pinyin_brand(e)
        and hashlib.sha1(e.id.encode()).digest()[1] % 2 == 1
    }


PARENS = re.compile(r"[(（].*?[)）]")
PLACE_SUFFIX = re.compile(r"[市省]$")


def entry_places(e: ListEntry) -> set[str]:
    """What the entry says are its places, lowercase and unspaced: its address cities and states
    and the first word of its name (Hangzhou Hikvision ...)."""
    cities = {key(x) for a in e.addresses for x in (a.city, a.state) if x}
    first = LATIN_WORD.match(e.name)
    return cities | ({key(first.group())} if first else set())


def derive_short_forms(alias: str, e: ListEntry) -> list[str]:
    """A hanzi alias's short forms of 3+ characters (see short_chinese): core first, then the
    trade-name forms of a company."""
    company = bool(CN_LEGAL.search(alias))
    tagged = [
        p for p in jieba.posseg.lcut(PARENS.sub("", CN_LEGAL_ANY.sub("", alias))) if p.word.strip()
    ]
    places = entry_places(e)
    while (
        len(tagged) > 1
        and tagged[0].flag == "ns"
        and "".join(lazy_pinyin(PLACE_SUFFIX.sub("", tagged[0].word))) in places
    ):
        tagged = tagged[1:]
    words: list[str] = []
    for p in tagged:  # characters jieba left single are one name: 壁+仞 = 壁仞
        single = len(p.word) == 1 and not industry(p.word)
        if single and words and len(words[-1]) == 1 and not industry(words[-1]):
            words[-1] += p.word
        else:
            words.append(p.word)
    forms = ["".join(words)]
    brand = list(itertools.takewhile(lambda w: not industry(w), words))
    trade = next((industry_atoms(w)[0] for w in words[len(brand) :] if industry(w)), "")
    if company and brand:
        name = "".join(brand)
        forms += [name] if len(name) >= 3 else [name + trade]
        if len(name) < 3 and "股份有限公司" in alias:  # a company limited by shares: 大华股份
            forms.append(name + "股份")
        if len(brand) >= 2 and len(brand[-1]) >= 3:  # the trade name without its prefix
            forms += [brand[-1], brand[-1] + trade]
    return list(dict.fromkeys(f for f in forms if len(f) >= 3))


def check_short_forms() -> tuple[int, int, list[str]]:
    """How many of the bundled list's own hanzi short aliases (an alias that is no company name,
    listed beside one that is) the short_chinese procedure derives from the entry's company names:
    (derived, listed, the ones it misses). A check that the procedure makes forms people use."""
    derived = listed = 0
    missed: list[str] = []
    for e in load_list().entries:
        hanzi = [a for a in (e.name, *e.alt_names) if CJK.search(a)]
        full = [a for a in hanzi if CN_LEGAL.search(a)]
        for short in (a for a in hanzi if full and not CN_LEGAL.search(a)):
            listed += 1
            if any(short in derive_short_forms(a, e) for a in full):
                derived += 1
            else:
                missed.append(short)
    return derived, listed, missed


def industry(word: str) -> bool:
    """A word of INDUSTRY_WORDS, or a jieba word made only of them (网络科技, 科技开发)."""
    return bool(industry_atoms(word))


def industry_atoms(word: str) -> list[str]:
    """The industry words a jieba word is made of (科技开发 -> 科技, 开发), or [] if it is not."""
    if word in INDUSTRY_WORDS:
        return [word]
    for n in range(len(word) - 1, 0, -1):
        if word[:n] in INDUSTRY_WORDS and (rest := industry_atoms(word[n:])):
            return [word[:n], *rest]
    return []


def half(entry_id: str) -> str:
    return "dev" if hashlib.sha1(entry_id.encode()).digest()[0] % 2 == 0 else "test"


def key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def syllabify(word: str) -> list[str] | None:
    """A Latin word as pinyin syllables (fewest syllables), or None if it is not pinyin."""
    syl = pinyin_syllables()
    w = word.lower()
    best: list[list[str] | None] = [None] * (len(w) + 1)
    best[0] = []
    for i in range(1, len(w) + 1):
        for j in range(max(0, i - 6), i):
            prev = best[j]
            if prev is not None and w[j:i] in syl and len(w[j:i]) > 0:
                cand = [*prev, w[j:i]]
                if best[i] is None or len(cand) < len(best[i] or []):
                    best[i] = cand
    return best[len(w)]


class Generator:
    def __init__(self, screening_list: ScreeningList, seed: int = 20261201) -> None:
        self.rng = random.Random(seed)
        self.entries = screening_list.entries
        self.owners: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            for text in (e.name, *e.alt_names):
                self.owners[key(text)].add(e.id)
        self.rows: list[dict[str, str]] = []
        self.seen: set[tuple[str, str, str]] = set()
        self.t2s = opencc.OpenCC("s2t")

    def add(self, query: str, e: ListEntry, source_alias: str, kind: str) -> None:
        if not query.strip() or (key(query) == key(source_alias) and kind != "symbols"):
            return
        expected = self.owners[key(source_alias)] | self.owners.get(key(query), set()) | {e.id}
        if (query, e.id, kind) in self.seen:
            return  # two aliases yield the same variant: queried once
        self.seen.add((query, e.id, kind))
        self.rows.append(
            {
                "query": query,
                "expected": ";".join(sorted(expected)),
                "kind": kind,
                "half": half(e.id),
                "entry": e.id,
            }
        )

    def negative(self, query: str, e: ListEntry, kind: str) -> None:
        if key(query) in self.owners or not query.strip():
            return
        self.rows.append(
            {"query": query, "expected": "", "kind": kind, "half": half(e.id), "entry": e.id}
        )

    # --- Chinese ------------------------------------------------------------------------------
    def chinese(self, e: ListEntry) -> None:
        for alias in (a for a in (e.name, *e.alt_names) if CJK.search(a)):
            words = [w for w in jieba.lcut(alias) if w.strip()]
            by_syllable = " ".join(s.capitalize() for s in lazy_pinyin(alias) if s.isalpha())
            by_word = " ".join("".join(lazy_pinyin(w)).capitalize() for w in words)
            self.add(self.rng.choice([by_syllable, by_word]), e, alias, "pinyin_spaced")
            self.add(self.t2s.convert(alias), e, alias, "traditional")
            for short in self.short_form_list(alias, e):
                self.add(short, e, alias, "short_chinese")
            wade = " ".join(
                "-".join(s[0] for s in pinyin(w, style=Style.WADEGILES)).capitalize() for w in words
            )
            self.add(wade, e, alias, "wade_giles")

    def short_forms(self, alias: str, e: ListEntry) -> list[str]:
        """The alias's short forms (see short_chinese) that are no listed name."""
        listed = {key(a) for a in (e.name, *e.alt_names)} | self.listed_hanzi
        return [f for f in derive_short_forms(alias, e) if key(f) not in listed]

    def short_form_list(self, alias: str, e: ListEntry) -> list[str]:
        """Every short form of the alias that no other entry's alias yields."""
        return [f for f in self.short_forms(alias, e) if not self.short_owners[f] - {e.id}]

    def latin_pinyin(self, e: ListEntry) -> None:
        """Entries written in Latin pinyin (China/HK addresses): spaced syllables, a hanzi query."""
        if not e.countries & {"CN", "HK"} or e.type not in ("Entity", None):
            return
        words = LATIN_WORD.findall(e.name)
        parsed = [syllabify(w) if len(w) >= 4 else None for w in words]
        brand = [(w, p) for w, p in zip(words, parsed, strict=True) if p and len(p) >= 2]
        if not brand:
            return
        spaced = e.name
        for w, p in brand:
            spaced = spaced.replace(w, " ".join(s.capitalize() for s in p), 1)
        self.add(spaced, e, e.name, "pinyin_spaced")

    def hanzi_vs_pinyin(self, e: ListEntry, hanzi: list[str]) -> None:
        """A withheld entry's real hanzi names (not on the evaluation list) and their short forms
        (as short_chinese)."""
        for alias in hanzi:
            self.add(alias, e, e.name, "hanzi_vs_pinyin")
            for short in self.short_form_list(alias, e):
                self.add(short, e, e.name, "hanzi_vs_pinyin")

    # --- Latin --------------------------------------------------------------------------------
    def abbreviation(self, e: ListEntry) -> None:
        words = e.name.split()
        out = [ABBREVIATIONS.get(w.lower().strip(",."), w) for w in words]
        if out != words:
            self.add(" ".join(out), e, e.name, "latin_abbreviation")
            return
        significant = acronym_words(e.name)
        if len(significant) >= 3 and e.type == "Entity":
            initials = "".join(w[0] for w in significant).upper()
            if (
                key(initials) not in self.owners
                and initials.lower() not in self.listed_words
                and not self.acronym_taken(initials, e)
            ):
                self.add(initials, e, e.name, "latin_abbreviation")

    def acronym_taken(self, initials: str, e: ListEntry) -> bool:
        """Another entry yields these initials from one of its names by one of the readings."""
        return len(self.initials[initials.lower()] - {e.id}) > 0

    def ocr(self, e: ListEntry) -> None:
        text = e.name
        options = [(a, b) for a, b in OCR if a in text]
        if len(text) < 8 or not options:
            return
        for a, b in self.rng.sample(options, min(2, len(options))):
            spots = [m.start() for m in re.finditer(re.escape(a), text)]
            i = self.rng.choice(spots)
            text = text[:i] + b + text[i + len(a) :]
        self.add(text, e, e.name, "ocr")

    def symbols(self, e: ListEntry) -> None:
        sym = self.rng.choice(SYMBOLS)
        words = e.name.split()
        if self.rng.random() < 0.5 or len(words) < 2:
            query = e.name + sym if not sym.endswith(" ") else sym + e.name
        else:
            i = self.rng.randrange(1, len(words))
            query = " ".join([*words[:i], sym.strip(), *words[i:]])
        self.add(query, e, e.name, "symbols")

    def legal_form(self, e: ListEntry) -> None:
        for short, long in LEGAL_FORMS:
            pattern = re.compile(rf"(?<![\w.]){re.escape(short)}(?![\w])", re.IGNORECASE)
            if pattern.search(e.name):
                self.add(pattern.sub(long, e.name, count=1), e, e.name, "legal_form")
                return

    # --- people and vessels -------------------------------------------------------------------
    def russian(self, e: ListEntry) -> None:
        if e.type != "Individual" or "," not in e.name:
            return
        surname, given = (p.strip() for p in e.name.split(",", 1))
        parts = given.split()
        if len(parts) != 2 or not re.search(r"(vich|vna|ich)$", parts[1], re.IGNORECASE):
            return
        first, patronymic = parts
        choice = self.rng.randrange(5)
        if choice == 0:
            query = f"{first} {surname.title()}"  # patronymic dropped, given name first
        elif choice == 1:
            query = f"{first} {patronymic} {surname.title()}"
        elif choice == 2:
            query = f"{surname.title()} {first}"
        elif choice == 3:
            table = self.rng.choice([GERMAN, FRENCH, ICAO])
            query = f"{first} {respell(surname.lower(), table).title()}"
        else:
            query = " ".join(respell(w.lower(), CYRILLIC).title() for w in (first, surname))
        self.add(query, e, e.name, "russian_person")

    def arabic(self, e: ListEntry) -> None:
        if not re.search(r"\b(AL|EL|ABD|ABU|BIN)\b|\bAL-", e.name) or e.type == "Vessel":
            return
        text = e.name
        choice = self.rng.randrange(3)
        if choice == 0:
            text = re.sub(
                r"\bAL[- ]", self.rng.choice(["el-", "Al ", "al", "ad-", ""]), text, count=1
            )
        else:
            options = [(a, b) for a, b in ARABIC_ALTERNATIONS if a in text.lower()]
            if not options:
                return
            for a, b in self.rng.sample(options, min(2, len(options))):
                text = re.sub(a, b, text, count=1, flags=re.IGNORECASE)
        self.add(text, e, e.name, "arabic_person")

    def vessel(self, e: ListEntry) -> None:
        if e.type != "Vessel":
            return
        name = e.name
        number = re.search(r"\b(\d)$", name)
        if number:
            n = int(number.group(1))
            form = self.rng.choice([f"No. {n}", ROMAN.get(n, str(n)), str(n)])
            name = name[: number.start()] + form
        query = self.rng.choice(VESSEL_PREFIXES) + name.title()
        self.add(query, e, e.name, "vessel")
        if number:
            others = [
                k for k in range(1, 10) if key(e.name[: number.start()] + str(k)) not in self.owners
            ]
            if others:
                self.negative(
                    e.name[: number.start()] + str(self.rng.choice(others)), e, "near_miss_vessel"
                )

    # --- negatives ----------------------------------------------------------------------------
    def near_miss_person(self, e: ListEntry, surnames: list[str]) -> None:
        if e.type != "Individual" or "," not in e.name:
            return
        surname, given = (p.strip() for p in e.name.split(",", 1))
        other = self.rng.choice(surnames)
        if self.given_by_surname[other.lower()] & {g.lower() for g in given.split()}:
            return  # a listed person has this surname and one of these given names
        if other.lower() != surname.lower() and len(given.split()) >= 2:
            self.negative(f"{other}, {given}", e, "near_miss_person")

    def near_miss_company(self, e: ListEntry, words: list[str]) -> None:
        if e.type not in ("Entity", None):
            return
        tokens = [w for w in LATIN_WORD.findall(e.name) if w.lower() not in LEGAL_WORDS]
        if not 1 <= len(tokens) <= 4:
            return
        target = min(tokens, key=lambda w: (self.word_df[w.lower()], -len(w)))  # most distinctive
        if len(target) < 4:
            return
        replacement = self.rng.choice(words)
        if replacement.lower() != target.lower():
            self.negative(e.name.replace(target, replacement, 1), e, "near_miss_company")

    def run(self) -> list[dict[str, str]]:
        self.initials: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            for text in (e.name, *e.alt_names):
                for reading in acronym_readings(text):
                    if reading:
                        self.initials["".join(w[0] for w in reading).lower()].add(e.id)
        self.word_df: dict[str, int] = defaultdict(int)
        for e in self.entries:
            for w in {w.lower() for w in LATIN_WORD.findall(e.name)}:
                self.word_df[w] += 1
        self.given_by_surname: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            if e.type == "Individual" and "," in e.name:
                last, first = e.name.split(",", 1)
                self.given_by_surname[last.strip().lower()] |= {g.lower() for g in first.split()}
        surnames = sorted(
            {e.name.split(",")[0].strip().title() for e in self.entries if e.type == "Individual"}
        )
        listed = {
            w.lower()
            for e in self.entries
            for t in (e.name, *e.alt_names)
            for w in LATIN_WORD.findall(t)
        }
        self.listed_words = listed
        company_words = sorted(
            {w for w in (pseudo_word(self.rng) for _ in range(3000)) if w.lower() not in listed}
        )
        generators: list[Callable[[ListEntry], None]] = [
            self.chinese,
            self.latin_pinyin,
            self.abbreviation,
            self.ocr,
            self.symbols,
            self.legal_form,
            self.russian,
            self.arabic,
            self.vessel,
        ]
        self.short_owners: dict[str, set[str]] = defaultdict(set)
        hanzi = {e.id: [a for a in (e.name, *e.alt_names) if CJK.search(a)] for e in self.entries}
        for entry_id, held in withheld_hanzi().items():
            hanzi[entry_id] = hanzi.get(entry_id, []) + held
        self.listed_hanzi = {key(a) for aliases in hanzi.values() for a in aliases}
        for e in self.entries:
            for alias in hanzi[e.id]:
                for form in self.short_forms(alias, e):
                    self.short_owners[form].add(e.id)
        for e in self.entries:
            for make in generators:
                make(e)
            if e.id in withheld_hanzi():
                self.hanzi_vs_pinyin(e, withheld_hanzi()[e.id])
            if self.rng.random() < 0.25:
                self.near_miss_person(e, surnames)
                self.near_miss_company(e, company_words)
        for i, name in enumerate(REAL_COMPANIES):
            self.rows.append(
                {
                    "query": name,
                    "expected": "",
                    "kind": "real_company",
                    "half": "dev" if i % 2 == 0 else "test",
                    "entry": "",
                }
            )
        return self.rows


LEGAL_WORDS = {"co", "ltd", "limited", "llc", "inc", "corp", "corporation", "company", "sa", "de",
               "cv", "ooo", "oao", "pao", "zao", "jsc", "the", "of", "and", "gmbh", "s", "a", "c",
               "v", "l", "y", "la", "el", "del"}  # fmt: skip


APOSTROPHE = re.compile(r"(?<=[A-Za-z])['’`](?=[A-Za-z])")
LEGAL_PHRASES = sorted(
    {long for _, long in LEGAL_FORMS}
    | {"Open Joint Stock Company", "Closed Joint Stock Company", "Joint-Stock Company",
       "Aktsionernoe Obshchestvo", "Limited Liability Partnership"},
    key=len,
    reverse=True,
)  # fmt: skip
FUNCTION_WORDS = {"al", "el", "ul", "in", "the", "of", "and", "for", "wal", "e", "i", "da", "do",
                  "des", "du", "et", "und", "fur", "a", "an", "y", "de", "la", "del"}  # fmt: skip


def acronym_words(name: str) -> list[str]:
    """The words an acronym is made of: apostrophes join (Shari'a is one word), legal-form
    phrases (LEGAL_PHRASES) and a trailing run of dotted abbreviations or legal words (S.A.R.L.,
    S. EN C., P.J.S.) are removed, and the remaining legal and function words (LEGAL_WORDS) left
    out. The initials of what is left are the acronym generated."""
    text = APOSTROPHE.sub("", name)
    for phrase in LEGAL_PHRASES:
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text, flags=re.IGNORECASE)
    tokens = [t for t in re.split(r"[\s,]+", text) if t]
    while tokens and ("." in tokens[-1] or tokens[-1].lower() in LEGAL_WORDS | {"en"}):
        tokens.pop()
    return [w for t in tokens for w in LATIN_WORD.findall(t) if w.lower() not in LEGAL_WORDS]


def acronym_readings(name: str) -> list[list[str]]:
    """Every reading of a name's initials another entry could be known by (for the uniqueness
    check): the generated one, every word, every word but the function and legal words, and
    the first 3+ of those (a legal form this table does not know may follow: SDN BHD)."""
    every = LATIN_WORD.findall(APOSTROPHE.sub("", name))
    content = [w for w in every if w.lower() not in FUNCTION_WORDS | LEGAL_WORDS]
    words = [w for w in acronym_words(name) if w.lower() not in FUNCTION_WORDS]
    prefixes = [content[:n] for n in range(3, len(content))]  # a legal form we do not know after
    return [acronym_words(name), every, content, words, *prefixes]


def pseudo_word(rng: random.Random) -> str:
    """A pronounceable made-up word (consonant-vowel syllables): a name no list entry has."""
    syllables = [
        rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    ]
    return ("".join(syllables) + rng.choice(["", "n", "r", "s", "x"])).title()


def respell(word: str, table: list[tuple[str, str]]) -> str:
    out, i = "", 0
    while i < len(word):
        for a, b in table:
            if word.startswith(a, i):
                out += b
                i += len(a)
                break
        else:
            out += word[i]
            i += 1
    return out


def cap_per_kind(rows: list[dict[str, str]], cap: int, rng: random.Random) -> list[dict[str, str]]:
    """At most `cap` queries of each kind in each half (the SDN would swamp the small kinds)."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        groups[(r["kind"], r["half"])].append(r)
    out = []
    for _, group in sorted(groups.items()):
        out += group if len(group) <= cap else rng.sample(group, cap)
    return out


def main() -> None:
    jieba.setLogLevel(60)
    rows = Generator(evaluation_list()).run()
    rows = cap_per_kind(rows, 250, random.Random(5))
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query", "expected", "kind", "half", "entry"])
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[f"{r['kind']}/{r['half']}"] += 1
    print(f"{len(rows)} queries written to {OUT}")
    derived, listed, missed = check_short_forms()
    print(f"short_chinese procedure derives {derived} of the {listed} listed hanzi short aliases")
    print(f"  (not derived: {', '.join(missed) or 'none'})")
    for k in sorted(counts):
        print(f"  {k:28} {counts[k]}")


if __name__ == "__main__":
    main()
