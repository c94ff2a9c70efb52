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
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict
from pypinyin import lazy_pinyin

from computegate.io.files import read_yaml, validate_file


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    legal_forms: frozenset[str]
    generic: frozenset[str]
    places: frozenset[str]
    token_aliases: dict[str, str]
    cn_secondary: tuple[str, ...]
    pinyin_places: tuple[str, ...]
    pinyin_secondary: tuple[str, ...]


def _load_words() -> _Words:
    path = Path(str(resources.files("computegate.screening") / "data" / "words.yaml"))
    return validate_file(path, _Words, read_yaml(path))


WORDS = _load_words()
LEGAL_FORMS = WORDS.legal_forms
GENERIC = WORDS.generic
PLACES = WORDS.places
TOKEN_ALIASES = WORDS.token_aliases
CN_SECONDARY = sorted(
    WORDS.cn_secondary, key=len, reverse=True
)  # longest first: 股份有限公司 before 有限公司
PINYIN_PREFIXES = sorted(
    [*WORDS.pinyin_places, *(p + s for p in WORDS.pinyin_places for s in ("shi", "sheng"))],
    key=len,
    reverse=True,
)
PINYIN_SECONDARY = sorted(
    [
        *WORDS.pinyin_secondary,
        *WORDS.pinyin_places,
        *(p + s for p in WORDS.pinyin_places for s in ("shi", "sheng")),
    ],
    key=len,
    reverse=True,
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class NormalName:
    original: str
    core: tuple[str, ...]
    secondary: tuple[str, ...]
    generic_only: bool = False  # nothing distinctive: the generic words themselves identify it

    @cached_property
    def all_sorted_squashed(self) -> str:
        return "".join(sorted(self.core + self.secondary))

    @cached_property
    def squashed(self) -> str:
        """Core tokens run together: spacing-insensitive ("Hua Wei" = "Huawei")."""
        return "".join(self.core)

    @cached_property
    def sorted_squashed(self) -> str:
        """Core tokens sorted and run together: order-insensitive."""
        return "".join(sorted(self.core))

    @cached_property
    def all_text(self) -> str:
        return " ".join(self.core + self.secondary)


def _strip_pinyin(token: str) -> tuple[str, list[str]]:
    """Peel pinyin legal forms, generic words and places off the end, and places off the front.

    Chinese names run place + brand + trade words + legal form, so only places are peeled from the
    front (中芯 "zhongxin" must survive even though 中心 is also "zhongxin").
    """
    removed: list[str] = []
    for words, at_end in ((PINYIN_SECONDARY, True), (PINYIN_PREFIXES, False)):
        changed = True
        while changed:
            changed = False
            for word in words:
                fits = token.endswith(word) if at_end else token.startswith(word)
                if fits and len(token) > len(word) + 2:
                    token = token[: -len(word)] if at_end else token[len(word) :]
                    removed.append(word)
                    changed = True
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
        return NormalName(name, tuple(secondary), (), generic_only=True)
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
        if (
            token
            and token in syllables
            and not (token in LEGAL_FORMS or token in GENERIC or token in PLACES)
        ):
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
