"""Name normalisation for screening: symbols, scripts, legal forms, generic words, places, pinyin.

A name becomes *core* tokens (what identifies the party) and *secondary* tokens (places, generic
trade words, Arabic articles), so generic words are weighted down but never deleted. Legal forms
carry little identity: in Latin script what rigour's org-type table reads as one is kept as its
compare form (Limited Liability Company = LLC) and weighted like a generic word, since the table
also takes ordinary words (PAO, Yu, Is, Charity); Chinese legal forms (the hanzi list) are removed. Chinese goes through one pipeline: traditional -> simplified (OpenCC), words (jieba),
pinyin (pypinyin); Latin pinyin is parsed into syllables and the same generic words, generated from
the one hanzi list, are recognised at syllable boundaries ("youxian" is a legal form, not
"you" + Xi'an). Other scripts are transliterated to ASCII. Each token also has a *folded* form in
which transliteration systems and OCR confusions meet (Bortnikow/Bortnikov, rn/m).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba
import opencc
from anyascii import anyascii
from pydantic import BaseModel, ConfigDict
from pypinyin import Style, lazy_pinyin
from rigour.names.org_types import extract_org_types, remove_org_types

from computegate.io.files import read_yaml, validate_file


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    hanzi_legal: tuple[str, ...]
    hanzi_generic: tuple[str, ...]
    hanzi_places: tuple[str, ...]
    hanzi_place_suffixes: tuple[str, ...]
    generic: frozenset[str]
    places: frozenset[str]
    token_aliases: dict[str, str]
    articles: frozenset[str]
    company_words: frozenset[str]
    patronymic_endings: tuple[str, ...]
    vessel_prefixes: tuple[str, ...]
    transliteration_folds: tuple[tuple[str, str], ...]
    ocr_folds: tuple[tuple[str, str], ...]


def _load_words() -> _Words:
    path = Path(str(resources.files("computegate.screening") / "data" / "words.yaml"))
    return validate_file(path, _Words, read_yaml(path))


WORDS = _load_words()
HANZI_PLACES = frozenset(
    [*WORDS.hanzi_places, *(p + s for p in WORDS.hanzi_places for s in WORDS.hanzi_place_suffixes)]
)
HANZI_CLASS = {
    **{w: "generic" for w in WORDS.hanzi_generic},
    **{w: "place" for w in HANZI_PLACES},
    **{w: "legal" for w in WORDS.hanzi_legal},
}


def _syllables_of(word: str, style: Style = Style.NORMAL) -> tuple[str, ...]:
    return tuple(
        re.sub(r"[^a-z]", "", s.lower()) for s in lazy_pinyin(word, style=style, v_to_u=False)
    )


# Pinyin and Wade-Giles forms of the hanzi list, as syllable tuples (generated, not hand-kept).
PINYIN_CLASS: dict[tuple[str, ...], str] = {}
for _word, _cls in HANZI_CLASS.items():
    for _style in (Style.NORMAL, Style.WADEGILES):
        PINYIN_CLASS.setdefault(_syllables_of(_word, _style), _cls)
PINYIN_WORDS = {"".join(k): v for k, v in PINYIN_CLASS.items()}  # "keji", "kochi", "youxiangongsi"
MAX_WORD_SYLLABLES = max(len(k) for k in PINYIN_CLASS)
LEGAL_FORMS = frozenset(w for w, c in PINYIN_WORDS.items() if c == "legal")
GENERIC = WORDS.generic | {w for w, c in PINYIN_WORDS.items() if c == "generic"}
PLACES = WORDS.places | {w for w, c in PINYIN_WORDS.items() if c == "place"}
SECONDARY = GENERIC | PLACES | WORDS.articles
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
NON_ALNUM = re.compile(r"[^0-9a-z]+")
ARTICLE = re.compile(r"\b(" + "|".join(sorted(WORDS.articles, key=len, reverse=True)) + r")-")
JOINERS = re.compile(r"(?<=[a-z])['’`-](?=[a-z])")
APOSTROPHES = re.compile(r"(?<=[a-z])['’`](?=[a-z])")
MAX_CONNECTORS = 4  # connectors beyond this many are all kept or all dropped (readings double)
DIGIT = re.compile(r"\d")
JOINER_FREE = frozenset(map(chr, range(0x250))) - set("'’`-")  # text with no joiner to remove
VESSEL = re.compile(r"^(?:" + "|".join(re.escape(p) for p in WORDS.vessel_prefixes) + r") (?=\w)")
OCR_LETTERS = {"0": "o", "1": "l", "5": "s", "8": "b"}
# A digit read where a letter was printed: inside a word (C0MPANY) or as an initial (5.A.).
OCR_DIGIT = re.compile(r"(?<=[a-z])[0158]|[0158](?=[a-z])|\b[0158](?=\.[a-z]\b)")
SPACED_WORDS = re.compile(r"[a-z]+(?: [a-z]+)+")
NUMBER_SIGN = re.compile(r"\b(?:no|nr|number)\.?\s*(?=\d)")
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8"}
SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Sm", "Cs", "Co", "Cn"})
ASCII_SYMBOLS = str.maketrans(
    {c: " " for c in map(chr, range(128)) if unicodedata.category(c) in SYMBOL_CATEGORIES}
)
CONNECTORS = frozenset({"of", "and", "the", "de", "del", "la", "el", "y", "i", "e", "a", "en", "da", "do", "des", "du", "et", "und", "fur", "for", "in", "al", "wal"})  # fmt: skip
# Trade words (Shipping, Trading, 科技) say a name is a company's: no listed vessel carries one.
TRADE_WORDS = GENERIC - CONNECTORS - WORDS.articles - {"les"}
COMPANY_WORDS = frozenset(
    {"company", "co", "limited", "ltd", "corporation", "corp", "inc", "group"}
)
MIN_LEGAL_FORM = 3  # letters a removed legal form needs to say the name is a company...
DOTTED_FORM = re.compile(r"\b[a-z]\.\s?[a-z]\.")  # ...unless written with dots (S.A.)
SUFFIX_FORMS = frozenset({"ltd", "limited", "inc", "llc", "plc"})
_T2S = opencc.OpenCC("t2s")
jieba.setLogLevel(60)


@dataclass(frozen=True)
class NormalName:
    original: str
    core: tuple[str, ...]
    secondary: tuple[str, ...]
    generic_only: bool = False  # nothing distinctive: the generic words themselves identify it
    # words rigour reads as legal forms or organisation types (Ltd, OOO, Charity, State, In):
    # weighted like generic words, never deleted (rigour also takes ordinary words: PAO, Yu, Is)
    org_words: tuple[str, ...] = ()
    party: str | None = (
        None  # what the name says it is: "entity" (a legal form), "vessel" (MV, M/T)
    )

    # Derived forms, computed once when the name is made (every candidate compares them):
    squashed: str = field(
        init=False
    )  # core run together: spacing-insensitive ("Hua Wei" = "Huawei")
    sorted_squashed: str = field(init=False)  # core sorted and run together: order-insensitive
    folded: tuple[str, ...] = field(init=False)  # core tokens folded (see fold)
    folded_squashed: str = field(init=False)
    numbers: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        folded = tuple(fold(t) for t in self.core)
        object.__setattr__(self, "squashed", "".join(self.core))
        object.__setattr__(self, "sorted_squashed", "".join(sorted(self.core)))
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "folded_squashed", "".join(sorted(folded)))
        object.__setattr__(self, "numbers", frozenset(t for t in self.core if t.isdigit()))


@lru_cache(maxsize=100_000)
def fold(token: str) -> str:
    """A token with OCR confusions and transliteration differences folded away (both sides)."""
    if token.isdigit():
        return token
    for a, b in WORDS.ocr_folds:
        token = token.replace(a, b)
    for a, b in WORDS.transliteration_folds:
        token = token.replace(a, b)
    return re.sub(r"(.)\1", r"\1", token)  # doubled letters: Mukhammed = Muhammad (CCC is not C)


@lru_cache(maxsize=1)
def romanised_syllables() -> frozenset[str]:
    """Every pinyin and Wade-Giles syllable, apostrophes dropped (from pypinyin's tables)."""
    from pypinyin.style.wadegiles import to_wade_glides

    pinyin = pinyin_syllables()
    wade = {re.sub(r"[^a-z]", "", to_wade_glides(s).lower()) for s in pinyin}
    return frozenset(pinyin | wade)


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


@lru_cache(maxsize=100_000)
def syllabify(token: str) -> tuple[str, ...] | None:
    """A Latin token as pinyin/Wade-Giles syllables (fewest), or None if it is not romanised Chinese."""
    syllables = romanised_syllables()
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(1, n + 1):
        for j in range(max(0, i - 6), i):
            prev = best[j]
            if prev is not None and token[j:i] in syllables:
                current = best[i]
                if current is None or len(prev) + 1 < len(current):
                    best[i] = (*prev, token[j:i])
    return best[n]


FOLDED_SECONDARY = {fold(w): w for w in sorted(SECONDARY) if len(w) >= 5}


def is_patronymic(token: str) -> bool:
    """Russian-style patronymics (Ivanovich, Petrovna): the part of a name most often left out."""
    return token.endswith(WORDS.patronymic_endings) and len(token) >= 6


def _strip_pinyin(token: str) -> tuple[list[str], list[str]]:
    """Split run-together pinyin (or Wade-Giles) into (core, secondary) at syllable boundaries.

    Generic words and legal forms are peeled off the end and places off the front (Chinese names
    run place + brand + trade words + legal form), longest word first; legal forms are dropped.
    A token made only of such words is all secondary.
    """
    syl = syllabify(token)
    if not syl or len(syl) < 2:
        return [token], []
    secondary: list[str] = []
    changed = True
    while changed and syl:
        changed = False
        for size in range(min(MAX_WORD_SYLLABLES, len(syl)), 0, -1):
            cls = PINYIN_WORDS.get("".join(syl[-size:]))  # joined: "xian" is 西安 as well
            if cls:
                if cls != "legal":
                    secondary.append("".join(syl[-size:]))
                syl = syl[:-size]
                changed = True
                break
    for size in range(min(MAX_WORD_SYLLABLES, len(syl) - 1), 0, -1):
        if (
            PINYIN_CLASS.get(syl[:size]) == "place"
        ):  # syllable by syllable: "xian" of Xiancheng is not Xi'an
            secondary.append("".join(syl[:size]))
            syl = syl[size:]
            break
    return (["".join(syl)] if syl else []), secondary


def _peel_hanzi(word: str) -> list[tuple[str, str | None]]:
    """A jieba word (which may be a whole company name) as (piece, class) with list words peeled."""
    if word in HANZI_CLASS or len(word) < 3:
        return [(word, HANZI_CLASS.get(word))]
    for size in range(min(6, len(word) - 1), 1, -1):
        if word[-size:] in HANZI_CLASS:
            return [*_peel_hanzi(word[:-size]), (word[-size:], HANZI_CLASS[word[-size:]])]
        if word[:size] in HANZI_CLASS:
            return [(word[:size], HANZI_CLASS[word[:size]]), *_peel_hanzi(word[size:])]
    return [(word, None)]


@lru_cache(maxsize=200_000)
def segment(run: str) -> tuple[tuple[str, str | None], ...]:
    """A run of Chinese characters, simplified, as jieba words with list words peeled: (piece, class).

    Computed once per name for normalisation, the Wade-Giles alias and abbreviations alike.
    """
    return tuple(
        piece for w in jieba.lcut(_T2S.convert(run), HMM=False) for piece in _peel_hanzi(w)
    )


@lru_cache(maxsize=200_000)
def romanise(word: str, style: Style = Style.NORMAL) -> tuple[str, ...]:
    """A hanzi word's syllables (pypinyin; a word repeats across a list, so it is romanised once)."""
    return tuple(lazy_pinyin(word, style=style, v_to_u=style == Style.WADEGILES))


def _cjk_tokens(run: str, marks: set[str]) -> tuple[list[str], list[str]]:
    """A run of Chinese characters: jieba words; generic words and places secondary, legal forms out.

    Adjacent distinctive words join into one pinyin token (华为 -> "huawei").
    """
    core: list[str] = []
    secondary: list[str] = []
    pending = ""
    for word, cls in segment(run):
        if cls is None:
            pending += "".join(romanise(word))
            continue
        if pending:
            _hanzi_core(pending, core, secondary)
            pending = ""
        if cls != "legal":
            secondary.append("".join(romanise(word)))
            if cls == "generic":
                marks.add("trade")
        else:
            marks.add("entity")
    if pending:
        _hanzi_core(pending, core, secondary)
    return core, secondary


def _hanzi_core(token: str, core: list[str], secondary: list[str]) -> None:
    """A distinctive hanzi run (romanised) as one pinyin token, a place at its front peeled off."""
    syl = syllabify(token)
    if syl and len(syl) >= 3:
        for size in range(min(MAX_WORD_SYLLABLES, len(syl) - 1), 1, -1):
            if PINYIN_CLASS.get(syl[:size]) == "place":
                secondary.append("".join(syl[:size]))
                token = "".join(syl[size:])
                break
    core.append(token)


def _strip_symbols(text: str) -> str:
    """Trademark signs, emoji and other symbols carry no identity (dropped before NFKC: ™ -> TM)."""
    if text.isascii():
        return text.translate(ASCII_SYMBOLS)
    return "".join(" " if unicodedata.category(c) in SYMBOL_CATEGORIES else c for c in text)


def _join_syllables(tokens: list[str]) -> list[str]:
    """Spaced pinyin ("Hua Wei Ji Shu") back into runs ("huaweijishu"); two or more syllables in a row."""
    syllables = pinyin_syllables()
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and token in syllables:
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) >= 2 else run)
        run = []
        if token:
            out.append(token)
    return out


def _latin(
    text: str, core: list[str], secondary: list[str], marks: set[str], org: list[str]
) -> None:
    """Latin-script text as core and secondary tokens; `marks` notes a legal form or vessel
    prefix, `org` gets the words rigour reads as legal forms (kept, weighted down)."""
    ascii_text = " ".join(anyascii(text).lower().split())  # a dropped symbol leaves no gap
    if "-" in ascii_text:
        ascii_text = ARTICLE.sub(r"\1 ", ascii_text)  # al-Rahman -> al Rahman
    if not JOINER_FREE.issuperset(ascii_text):
        ascii_text = JOINERS.sub("", ascii_text)  # Hua-Wei, K'o-chi, O'Brien
    if DIGIT.search(ascii_text):
        ascii_text = NUMBER_SIGN.sub("", ascii_text)  # No. 1 -> 1
        ascii_text = OCR_DIGIT.sub(lambda m: OCR_LETTERS[m.group()], ascii_text)  # 5.A. -> s.a.
    ascii_text = SPACED_WORDS.sub(
        lambda m: " ".join(_join_syllables(m.group().split())), ascii_text
    )
    words = ascii_text.split()
    if len(words) >= 2 and words[-1] in ROMAN and words[-2] not in WORDS.articles:
        ascii_text = " ".join([*words[:-1], ROMAN[words[-1]]])  # before rigour, which drops "ii"
    without_forms = remove_org_types(ascii_text)  # rigour reads "s.a. de c.v." with its dots
    everything = " ".join(t for t in NON_ALNUM.split(ascii_text) if t)
    cleaned = " ".join(t for t in NON_ALNUM.split(without_forms) if t) or everything
    removed = len(everything.replace(" ", "")) - len(cleaned.replace(" ", ""))
    if removed:  # kept as their compare form (Limited Liability Company = LLC = "llc")
        found = extract_org_types(ascii_text)
        org += [NON_ALNUM.sub("", target) or NON_ALNUM.sub("", text) for text, target in found]
        kept = Counter(cleaned.split()) + Counter(
            t for text, _ in found for t in NON_ALNUM.split(text) if t
        )
        for token in everything.split():
            if kept[token]:
                kept[token] -= 1
            elif len(token) >= 2:  # single letters are pieces of dotted forms (S.A.)
                org.append(token)
    if removed >= MIN_LEGAL_FORM or (removed and DOTTED_FORM.search(ascii_text)):
        marks.add("entity")  # (shorter ones are also names: Yu, Sa, GP; not so S.A., S.L.)
    if VESSEL.match(cleaned):
        marks.add("vessel")
        cleaned = VESSEL.sub("", cleaned)
    raw = [WORDS.token_aliases.get(t, t) for t in cleaned.split()]
    if len(raw) >= 2 and raw[-1] in ROMAN and raw[-2] not in WORDS.articles:
        raw[-1] = ROMAN[raw[-1]]  # sister ships: "Ana I" = "Ana 1"
    for token in raw:
        if token in LEGAL_FORMS or token in WORDS.company_words:
            marks.add("entity")
        c, s = _classify(token)
        core.extend(c)
        secondary.extend(s)
        if any(t in TRADE_WORDS for t in s):
            marks.add("trade")


@lru_cache(maxsize=200_000)
def _classify(token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A Latin token as (core, secondary) parts; words repeat across a list, so once per word."""
    if token in LEGAL_FORMS:
        return (), ()
    if token in SECONDARY:
        return (), (token,)
    if (known := FOLDED_SECONDARY.get(fold(token))) is not None:
        return (), (known,)  # "C0MPANY", "SHIPPlNG": a generic word behind OCR noise
    c, s = _strip_pinyin(token)
    return tuple(c), tuple(s)


@lru_cache(maxsize=200_000)
def normalise(name: str) -> NormalName:
    text = unicodedata.normalize("NFKC", _strip_symbols(name)).casefold().replace("&", " and ")
    core: list[str] = []
    secondary: list[str] = []
    marks: set[str] = set()
    org: list[str] = []
    position = 0
    for match in CJK.finditer(text):
        _latin(text[position : match.start()], core, secondary, marks, org)
        c, s = _cjk_tokens(match.group(), marks)
        core += c
        secondary += s
        position = match.end()
    _latin(text[position:], core, secondary, marks, org)
    # a legal form says company, else a vessel prefix says vessel, else a trade word says company
    party = next((p for p in ("entity", "vessel", "trade") if p in marks), None)
    party = "entity" if party == "trade" else party
    if not core:  # a name made only of generic words and places is identified by them
        promoted = tuple(t for t in secondary if t not in WORDS.company_words)
        kept = tuple(t for t in secondary if t in WORDS.company_words)
        return NormalName(name, promoted or kept, kept if promoted else (), True, tuple(org), party)
    return NormalName(name, tuple(core), tuple(secondary), org_words=tuple(org), party=party)


def wade_giles(name: str) -> str | None:
    """A hanzi name romanised in Wade-Giles, word by word (list side: 华为 -> "Hua-wei")."""
    if not CJK.search(name):
        return None
    out = []
    position = 0
    for match in CJK.finditer(name):
        out.append(name[position : match.start()].strip())
        out += ["-".join(romanise(w, Style.WADEGILES)) for w in _paired(segment(match.group()))]
        position = match.end()
    out.append(name[position:].strip())
    return " ".join(w for w in out if w)


def _paired(pieces: tuple[tuple[str, str | None], ...]) -> list[str]:
    """Segmented words with distinctive characters jieba left single paired (中+芯 = 中芯): they
    are one name, written as one word (Chung-hsin, not Chung Hsin)."""
    out: list[str] = []
    single = False
    for word, cls in pieces:
        if single and len(word) == 1 and cls is None:
            out[-1] += word
            single = False
        else:
            out.append(word)
            single = len(word) == 1 and cls is None
    return out


PARENTHESISED = re.compile(r"[(（][^)）]*[)）]")


def _hanzi_pieces(name: str) -> list[tuple[str, str | None]]:
    """A hanzi name's segmented words, legal forms and parenthesised places left out, characters
    jieba left single joined (威+视 = 威视); [] for a name not written wholly in hanzi."""
    if not CJK.search(name) or not CJK.fullmatch(PARENTHESISED.sub("", name).strip()):
        return []
    pieces: list[tuple[str, str | None]] = []
    for w, c in segment(PARENTHESISED.sub("", name).strip()):
        if c == "legal":
            continue
        if len(w) == 1 and c is None and pieces and len(pieces[-1][0]) == 1 and not pieces[-1][1]:
            pieces[-1] = (pieces[-1][0] + w, None)
        else:
            pieces.append((w, c))
    return pieces


def hanzi_abbreviations(name: str) -> dict[str, int]:
    """First-character abbreviations of a hanzi name, each with its strength (0 strongest): the
    first character of every word (哈尔滨工业大学 -> 哈工大), with the leading places and without
    them: 0; their prefixes of 3+ characters (trailing words dropped): 1."""
    pieces = _hanzi_pieces(name)
    out: dict[str, int] = {}
    for _ in range(2):  # with the leading places (哈工大), then without them
        initials = "".join(w[0] for w, _ in pieces)
        if len(pieces) >= 3:
            out.setdefault(initials, 0)
            for n in range(3, len(initials)):
                out.setdefault(initials[:n], 1)
        while len(pieces) > 1 and pieces[0][1] == "place":
            pieces = pieces[1:]
    return out


def hanzi_sub_segments(name: str) -> list[str]:
    """Distinctive sub-segments a party also goes by: a run of distinctive words without its
    first word(s), 3+ characters (中科寒武纪 -> 寒武纪), alone, with the generic word after the run
    and with all the words after it (寒武纪科技). Word boundaries only (not 武纪)."""
    pieces = _hanzi_pieces(name)
    out: list[str] = []
    for start, (_, cls) in enumerate(pieces):
        if cls is not None or (start and pieces[start - 1][1] is None):
            continue  # runs start at a distinctive piece that follows none
        end = start
        while end < len(pieces) and pieces[end][1] is None:
            end += 1
        following = [w for w, _ in pieces[end:]]
        for cut in range(start + 1, end):
            sub = "".join(w for w, _ in pieces[cut:end])
            if len(sub) >= 3:
                out += [sub, sub + "".join(following[:1]), sub + "".join(following)]
    return list(dict.fromkeys(out))


def short_form_key(n: NormalName) -> str:
    """What a short form is looked up by: its core and generic words, each run together, so
    寒武纪科技, "Hanwuji Keji" and "Han Wu Ji Ke Ji" meet (short pinyin forms)."""
    return "".join(n.core) + "/" + "".join(n.secondary)


def acronyms(name: str) -> dict[str, int]:
    """Initialisms a party may be known by (SMIC, YMTC, BNC for Banco Nacional de Cuba, AQAP for
    Al-Qa'ida in the Arabian Peninsula), each with its strength: 0 for the initials of the name's
    words once legal forms and trailing company words are removed, with every connector or none;
    1 for the same with some connectors kept (AQAP keeps "al", drops "in the") and for looser
    readings (every word; company words dropped anywhere; numbers dropped). Legal forms are
    what rigour reads as one, and a trailing run of dotted abbreviations (S.C.S., C.A., S. EN C.),
    which rigour does not always know. Hyphens separate words, apostrophes do not (Shari'a is one
    word). A query's initials shared by several entries at the same strength identify none of them.
    """
    text = APOSTROPHES.sub(
        "", anyascii(unicodedata.normalize("NFKC", _strip_symbols(name))).lower()
    )

    def words(t: str) -> list[str]:
        return [w for w in NON_ALNUM.split(JOINERS.sub(" ", t)) if w]

    every = words(text)
    bases = [
        [w for w in words(remove_org_types(text)) if w not in SUFFIX_FORMS],
        words(_without_legal_tail(text)),
    ]
    readings: list[tuple[int, list[str]]] = []
    loose: list[list[str]] = []
    for legal_free in bases:
        trimmed = list(legal_free)
        while trimmed and trimmed[-1] in WORDS.company_words:
            trimmed.pop()
            loose.append(list(trimmed))  # trailing company words dropped one at a time
        readings += [(0, [w for w in trimmed if w not in CONNECTORS]), (0, trimmed)]
        loose += [*_connector_subsets(trimmed), legal_free]
    content = [w for w in every if w not in WORDS.company_words and w not in SUFFIX_FORMS]
    suffix_free = [w for w in every if w not in CONNECTORS and w not in SUFFIX_FORMS]  # YMTC
    loose += [every, suffix_free, content, [w for w in content if w not in CONNECTORS]]
    readings += [(1, ws) for ws in loose]
    out: dict[str, int] = {}
    for strength, ws in readings:
        for kept in (ws, [w for w in ws if not w.isdigit()]):  # GRUPO CONTROL SYSTEM 2004: GCS
            key = "".join(w[0] for w in kept)
            if len(kept) >= 3 and len(key) >= 3:
                out.setdefault(key, strength)
    return out


def _without_legal_tail(text: str) -> str:
    """The name without a trailing run of legal-form tokens: dotted abbreviations (S.C.S., C.A.),
    words rigour reads as a legal form (LTDA, CIA), and connectors between them (S. EN C.)."""
    tokens = text.replace(",", " ").split()
    while tokens and ("." in tokens[-1] or tokens[-1] in CONNECTORS or _legal_token(tokens[-1])):
        tokens.pop()
    return " ".join(tokens)


@lru_cache(maxsize=50_000)
def _legal_token(token: str) -> bool:
    """rigour reads this one word as a legal form (LTDA, CIA); words repeat, so once per word."""
    return not NON_ALNUM.sub("", remove_org_types(token))


def _connector_subsets(ws: list[str]) -> list[list[str]]:
    """The words with some of their connectors dropped and others kept (up to MAX_CONNECTORS)."""
    spots = [i for i, w in enumerate(ws) if w in CONNECTORS]
    if not 2 <= len(spots) <= MAX_CONNECTORS:
        return []
    out = []
    for mask in range(1, 2 ** len(spots) - 1):
        dropped = {spots[b] for b in range(len(spots)) if mask >> b & 1}
        out.append([w for i, w in enumerate(ws) if i not in dropped])
    return out
