"""Spoken numbers in speech-recognition output, turned into digits with a map back.

Whisper writes digits that people read out as words ("nolla neljä nolla, yksi kaksi
kolme", "noll sju tre", "null eins sieben", "oh seven seven double one") and mishears
digits as look-alike letters ("07-I-11-123-456"). The phone and address detectors only
see digits, so ``normalise_spoken`` rewrites a text before they run and keeps, for every
character of the rewritten text, the range of the original text it came from. A span
found in the rewritten text maps back with ``SpokenText.to_original`` to original offsets
that cover every original word it stands for (a later step silences those words in the
audio, so a span that stopped halfway through "neljäkymmentäviisi" would leak digits).

No installed library does this: num2words goes the other way (digits to words), and
text2num (not a dependency) has no Finnish or Swedish, so a small morpheme table per
language is used instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Morpheme kinds: a value to add, "x10" (Finnish "-kymmentä"), "+10" ("-toista"),
# "x100", "x1000", and a connector to skip (German "und").
_ADD, _TENFOLD, _TEEN, _HUNDRED, _THOUSAND, _JOIN = "add", "x10", "+10", "x100", "x1000", "join"

_UNITS: dict[str, tuple[str, ...]] = {
    # Words for 0..9 in order; several spellings separated by "/".
    "en": (
        "zero/oh/nought",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
    ),
    "fi": (
        "nolla",
        "yksi/yks",
        "kaksi/kaks",
        "kolme",
        "neljä",
        "viisi/viis",
        "kuusi/kuus",
        "seitsemän/seittemän",
        "kahdeksan/kaheksan",
        "yhdeksän/yheksän",
    ),
    "sv": ("noll/nolla", "ett/en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"),
    "de": (
        "null",
        "eins/ein/eine",
        "zwei/zwo",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
    ),
}
# 10..19 (Finnish teens are unit + "toista" and need no list).
_TEENS: dict[str, tuple[str, ...]] = {
    "en": (
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ),
    "fi": ("kymmenen",),
    "sv": (
        "tio",
        "elva",
        "tolv",
        "tretton",
        "fjorton",
        "femton",
        "sexton",
        "sjutton",
        "arton",
        "nitton",
    ),
    "de": (
        "zehn",
        "elf",
        "zwölf",
        "dreizehn",
        "vierzehn",
        "fünfzehn",
        "sechzehn",
        "siebzehn",
        "achtzehn",
        "neunzehn",
    ),
}
# 20..90 (Finnish tens are unit + "kymmentä").
_TENS: dict[str, tuple[str, ...]] = {
    "en": ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
    "fi": (),
    "sv": ("tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio"),
    "de": (
        "zwanzig",
        "dreißig/dreissig",
        "vierzig",
        "fünfzig",
        "sechzig",
        "siebzig",
        "achtzig",
        "neunzig",
    ),
}
_EXTRA: dict[str, tuple[tuple[str, str, int], ...]] = {
    "en": (("hundred", _HUNDRED, 0), ("thousand", _THOUSAND, 0)),
    "fi": (
        ("kymmentä", _TENFOLD, 0),
        ("toista", _TEEN, 0),
        ("sata", _ADD, 100),
        ("sataa", _HUNDRED, 0),
        ("tuhat", _ADD, 1000),
        ("tuhatta", _THOUSAND, 0),
    ),
    "sv": (("hundra", _HUNDRED, 0), ("tusen", _THOUSAND, 0)),
    "de": (("hundert", _HUNDRED, 0), ("tausend", _THOUSAND, 0), ("und", _JOIN, 0)),
}
# Words that are numbers only next to other number words: "oh" is an interjection, "en"
# and "ein" are articles, "sex" and "elf" are other words too, "sataa" means "it rains".
_ONLY_IN_RUNS = frozenset({"oh", "en", "ein", "eine", "sex", "elf", "acht", "sataa"})
# "double seven" → 77, "triple one" → 111 (English speakers read numbers this way).
_REPEAT = {"double": 2, "triple": 3}

Morpheme = tuple[str, int]  # (kind, value)


@lru_cache(maxsize=8)
def _morphemes(language: str) -> dict[str, Morpheme]:
    """Every number morpheme of a language, keyed by its spelling."""
    table: dict[str, Morpheme] = {}
    for value, spellings in enumerate(_UNITS[language]):
        for spelling in spellings.split("/"):
            table[spelling] = (_ADD, value)
    for value, spellings in enumerate(_TEENS[language], 10):
        for spelling in spellings.split("/"):
            table[spelling] = (_ADD, value)
    for value, spellings in enumerate(_TENS[language], 2):
        for spelling in spellings.split("/"):
            table[spelling] = (_ADD, value * 10)
    for spelling, kind, value in _EXTRA[language]:
        table[spelling] = (kind, value)
    return table


def _split(word: str, table: dict[str, Morpheme]) -> list[Morpheme] | None:
    """``word`` as a sequence of morphemes ("neljäkymmentäviisi" → 4, x10, 5), or None.

    Longest morphemes are tried first, with backtracking, so "kuusi" is not read as
    "kuus" + "i".
    """
    if not word:
        return []
    for size in range(len(word), 0, -1):
        head = table.get(word[:size])
        if head is None:
            continue
        rest = _split(word[size:], table)
        if rest is not None:
            return [head, *rest]
    return None


def _value(parts: list[Morpheme]) -> int | None:
    """The number a compound word spells, or None when its parts make no number."""
    total, current = 0, 0
    for kind, value in parts:
        if kind == _ADD:
            current += value
        elif kind == _TENFOLD:
            if not 1 < current < 10:
                return None
            current *= 10
        elif kind == _TEEN:
            if not 0 < current < 10:
                return None
            current += 10
        elif kind == _HUNDRED:
            current = (current or 1) * 100
        elif kind == _THOUSAND:
            total += (current or 1) * 1000
            current = 0
    return total + current


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    value: int  # -1 for "double"/"triple" (a repeat count follows in ``repeat``)
    compound_hundred: bool  # ends in "hundred": a following number under 100 is added
    is_tens: bool  # 20, 30 … 90: a following unit is added ("twenty one")
    repeat: int = 0


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What may sit between two number words of one run; a comma keeps a group break.
_RUN_GAP = re.compile(r"[ \t,-]*")


def _parse_word(match: re.Match[str], language: str) -> _Word | None:
    """The number word at ``match``, or None when it is no number word."""
    start, end = match.span()
    folded = match.group().casefold()
    if language == "en" and folded in _REPEAT:
        return _Word(start, end, -1, False, False, _REPEAT[folded])
    table = _morphemes(language)
    parts: list[Morpheme] = []
    for piece in folded.split("-"):  # "twenty-one"
        split = _split(piece, table)
        if split is None:
            return None
        parts.extend(split)
    value = _value(parts)
    if value is None or all(kind == _JOIN for kind, _ in parts):
        return None
    return _Word(
        start,
        end,
        value,
        compound_hundred=parts[-1][0] == _HUNDRED,
        is_tens=value in range(20, 100, 10),
    )


@dataclass(frozen=True, slots=True)
class SpokenText:
    """A text with spoken numbers as digits, and the way back to the original.

    ``starts[i]``/``ends[i]`` are the original range that character ``i`` of ``text``
    stands for: one original character where nothing changed, the whole run of number
    words where digits replaced them.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def changed(self) -> bool:
        """Whether normalisation rewrote anything."""
        return self.text != self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets covering every original character behind ``text[start:end]``."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return min(self.starts[start:end]), max(self.ends[start:end])


class _Builder:
    """Accumulates the rewritten text and its character map."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.pieces: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def keep(self, start: int, end: int) -> None:
        """Copy original characters unchanged."""
        self.pieces.append(self.original[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def replace(self, text: str, start: int, end: int) -> None:
        """Emit ``text`` standing for the original range ``start:end``."""
        self.pieces.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def build(self) -> SpokenText:
        return SpokenText(self.original, "".join(self.pieces), tuple(self.starts), tuple(self.ends))


# Letters Whisper writes for digits, and the digits they stand for. Same length, so the
# character map is unchanged by this step.
_LOOKALIKES = str.maketrans({"I": "1", "l": "1", "O": "0", "o": "0", "S": "5"})
_ALNUM = re.compile(r"[0-9A-Za-z]+")
_LOOKALIKE_TOKEN = re.compile(r"[0-9IlOoS]+")


def _fix_lookalikes(text: str) -> str:
    """Digits for look-alike letters inside digit runs ("07-I-11" → "07-1-11", "O7711").

    A token is rewritten when it mixes look-alikes with at least two digits, or when it is
    one look-alike letter between two digit tokens joined by a hyphen, dot or space.
    """
    tokens = list(_ALNUM.finditer(text))
    chars = list(text)
    for i, token in enumerate(tokens):
        word = token.group()
        if word.isdigit() or not _LOOKALIKE_TOKEN.fullmatch(word):
            continue
        digits = sum(c.isdigit() for c in word)
        if digits < 2 and not (len(word) == 1 and _between_digits(text, tokens, i)):
            continue
        chars[token.start() : token.end()] = word.translate(_LOOKALIKES)
    return "".join(chars)


def _between_digits(text: str, tokens: list[re.Match[str]], index: int) -> bool:
    """Whether token ``index`` sits between two all-digit tokens with one separator each."""
    if index == 0 or index + 1 >= len(tokens):
        return False
    before, token, after = tokens[index - 1], tokens[index], tokens[index + 1]
    gaps = (text[before.end() : token.start()], text[token.end() : after.start()])
    return (
        before.group().isdigit()
        and after.group().isdigit()
        and all(gap in ("-", ".", " ") for gap in gaps)
    )


def _number_words(text: str, language: str) -> list[_Word]:
    parsed = (_parse_word(m, language) for m in _WORD.finditer(text))
    return [word for word in parsed if word is not None]


def _runs(text: str, words: list[_Word]) -> list[list[_Word]]:
    """Number words next to each other (spaces, commas or hyphens between)."""
    runs: list[list[_Word]] = []
    for word in words:
        if runs and _RUN_GAP.fullmatch(text[runs[-1][-1].end : word.start]):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _multiplies(previous: _Word, word: _Word, value: int) -> bool:
    """Whether ``word`` is a bare "hundred" that multiplies the digit before it."""
    return not previous.repeat and word.compound_hundred and word.value == 100 and 0 < value < 10


def _combines(previous: _Word, word: _Word) -> bool:
    """Whether ``word`` adds to the number before it ("twenty one", "hundred twelve")."""
    if previous.repeat:
        return False
    if previous.is_tens:
        return 0 < word.value < 10
    return previous.compound_hundred and 0 <= word.value < 100


def _run_digits(text: str, run: list[_Word]) -> str | None:
    """The digits a run of number words spells, with a space where a comma broke it.

    Adjacent words combine as speech does ("twenty one" → 21, "neljäkymmentä viisi" → 45,
    "one hundred twelve" → 112); otherwise each word adds its own digits ("oh seven
    seven" → 077), which is how numbers are read out digit by digit or in groups.
    """
    if len(run) == 1 and (
        run[0].repeat or text[run[0].start : run[0].end].casefold() in _ONLY_IN_RUNS
    ):
        return None
    groups: list[list[int]] = [[]]
    previous: _Word | None = None
    repeat = 1
    for word in run:
        if previous is not None and "," in text[previous.end : word.start]:
            groups.append([])
        values = groups[-1]
        if word.repeat:
            repeat = word.repeat
            previous = word
            continue
        if previous and values and _multiplies(previous, word, values[-1]):
            values[-1] *= word.value  # "one hundred", "drei hundert"
        elif previous and values and _combines(previous, word):
            values[-1] += word.value
        else:
            values.extend([word.value] * repeat)
        repeat = 1
        previous = word
    return " ".join("".join(str(v) for v in group) for group in groups if group)


def normalise_spoken(text: str, language: str) -> SpokenText:
    """``text`` with spoken numbers as digits and look-alike letters in digit runs fixed.

    ``language`` picks the number words ("en", "fi", "sv", "de"); other languages only
    get the look-alike fix.
    """
    fixed = _fix_lookalikes(text)
    builder = _Builder(fixed)
    if language not in _UNITS:
        builder.keep(0, len(fixed))
        return _with_original(builder.build(), text)
    cursor = 0
    for run in _runs(fixed, _number_words(fixed, language)):
        digits = _run_digits(fixed, run)
        if digits is None:
            continue
        start = _plus_before(fixed, run[0].start, cursor)
        if start < run[0].start:
            digits = "+" + digits
        builder.keep(cursor, start)
        builder.replace(digits, start, run[-1].end)
        cursor = run[-1].end
    builder.keep(cursor, len(fixed))
    return _with_original(builder.build(), text)


_PLUS = re.compile(r"(?:^|(?<=\s))plus\s$", re.IGNORECASE)


def _plus_before(text: str, start: int, cursor: int) -> int:
    """Where a spoken "plus" right before a number run starts ("plus three five eight"
    is +358 in every language here), else ``start``."""
    m = _PLUS.search(text, max(cursor, start - 6), start)
    return m.start() if m else start


def _with_original(spoken: SpokenText, original: str) -> SpokenText:
    """The same map, pointing at the text as it was before the look-alike fix."""
    return SpokenText(original, spoken.text, spoken.starts, spoken.ends)
