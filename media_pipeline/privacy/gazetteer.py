"""A compact gazetteer of European first names, last names and places.

names-dataset holds ~730k first and ~980k last names for 105 countries; loading it is far
too slow and memory-hungry for every Celery worker (docs/privacy-detection.md).
``build_gazetteer`` runs once at provisioning time (``manage.py provision_models``) and
keeps only names that are popular in an EU/EEA country (plus the UK and Switzerland),
drops words that are never names, marks names that are also everyday words per language
and names that are also places, and writes a gzip'd TSV of about 1 MB, which
``load_gazetteer`` reads quickly into little memory.

File format (UTF-8, gzip), one name per line after a ``#`` header::

    name <TAB> flags (F first, L last, P place) <TAB> languages where it is a common word
         <TAB> languages where it is a locally popular name <TAB> best rank in the EU/EEA
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from media_pipeline.privacy.cues import COMMON_WORD_NAMES, NEVER_NAMES, words
from media_pipeline.privacy.places import PLACES

logger = logging.getLogger(__name__)

GAZETTEER_VERSION = 2
GAZETTEER_FILENAME = f"names-v{GAZETTEER_VERSION}.tsv.gz"
HEADER = f"# tarina privacy gazetteer v{GAZETTEER_VERSION}"

FIRST = 1
LAST = 2
PLACE = 4

# EU member states, EEA (Iceland, Liechtenstein, Norway), the UK and Switzerland.
COUNTRIES: frozenset[str] = words(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO GB CH"
)
# International calling codes of those countries, for town names in phonenumbers' data.
CALLING_CODES: frozenset[str] = words(
    "43 32 359 385 357 420 45 372 358 33 49 30 36 353 39 371 370 352 356 31 48 351 40 421 "
    "386 34 46 354 423 47 44 41"
)
# Popularity cut: names-dataset ranks names per country from social-media profiles; below
# these ranks the lists fill with words, typos and handles ("Frau", "Hei", "Olen").
FIRST_RANK_CUT = 3000
LAST_RANK_CUT = 5000
# A name ranked this high in a country where the language is spoken is "local": such a
# name is trusted on its own, while rarer ones ("Kind", a German surname ranked 1511, is
# also "child") need context or a neighbouring name.
LOCAL_RANK_CUT = 1000
LANGUAGE_COUNTRIES: dict[str, frozenset[str]] = {
    "fi": frozenset({"FI"}),
    "sv": frozenset({"SE", "FI"}),
    "de": frozenset({"DE", "AT", "CH"}),
    "en": frozenset({"GB", "IE"}),
    "da": frozenset({"DK"}),
    "nb": frozenset({"NO"}),
    "nl": frozenset({"NL", "BE"}),
    "et": frozenset({"EE"}),
}
LEXICON_LANGUAGES = ("en", "sv", "de", "da", "nb", "nl")
FAMOUS_RANK = 100
NO_RANK = 999_999

_NAME_SHAPE = re.compile(r"^[^\W\d_]{2,}(?:[-'][^\W\d_]{2,})?$")


class GazetteerMissing(FileNotFoundError):
    """The gazetteer file has not been built; run ``manage.py provision_models``."""


class Entry(NamedTuple):
    """What the gazetteer knows about one name."""

    flags: int  # FIRST | LAST | PLACE
    common: frozenset[str]  # languages where it is also an everyday word
    local: frozenset[str]  # languages where it is a popular name (rank <= LOCAL_RANK_CUT)
    rank: int  # best first- or last-name rank in any EU/EEA country (NO_RANK if a place)


_UNKNOWN = Entry(0, frozenset(), frozenset(), NO_RANK)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Name lookups keyed by ``str.casefold()``."""

    entries: dict[str, Entry]

    def entry(self, word: str) -> Entry:
        """Everything known about a word (flags 0 when unknown)."""
        return self.entries.get(word.casefold(), _UNKNOWN)

    def lookup(self, word: str) -> int:
        """FIRST/LAST/PLACE flags for a word (0 when unknown)."""
        return self.entry(word).flags

    def is_common_word(self, word: str, language: str) -> bool:
        """Whether the word is also an everyday word in ``language`` ("Anna" in Finnish)."""
        return language in self.entry(word).common

    def __len__(self) -> int:
        return len(self.entries)


def _latin(name: str) -> bool:
    # Latin script only: the stories are in European languages, and non-Latin entries
    # would only bloat the file.
    return all(ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF for ch in name)


def _popular(records: dict[str, Any], cut: int) -> Iterable[tuple[str, dict[str, int]]]:
    """Names ranked within ``cut`` in an EU/EEA country, with their ranks there."""
    for name, record in records.items():
        ranks = {
            c: r for c, r in (record.get("rank") or {}).items() if c in COUNTRIES and r is not None
        }
        if not ranks or min(ranks.values()) > cut:
            continue
        if _NAME_SHAPE.match(name) and _latin(name):
            yield name, ranks


def _town_names() -> set[str]:
    """Single-word town names of EU/EEA/UK/CH from phonenumbers' geocoding data."""
    from phonenumbers.geodata import GEOCODE_DATA

    towns: set[str] = set()
    for prefix, descriptions in GEOCODE_DATA.items():
        if not any(prefix.startswith(code) for code in CALLING_CODES):
            continue
        for description in descriptions.values():
            for part in re.split(r"[,/()]| - ", description):
                part = part.strip()
                if _NAME_SHAPE.match(part) and _latin(part) and part[0].isupper():
                    towns.add(part)
    return towns


def _lexicon_common(names: Iterable[str], famous: set[str]) -> dict[str, set[str]]:
    """Languages in which each name is an everyday word, from simplemma's lexicons.

    A name counts as a word in a language when its lower-case form is in that lexicon with
    a lower-case lemma, unless the lexicon also lists the capitalised name as a proper noun
    and the common word is rare (fewer than three forms: "anna", the coin, in English).
    Finnish is not used: its lexicon inflects names as if they were nouns. German nouns
    are capitalised like names, so a capitalised German entry that declines (three or more
    forms: "Grund, Grundes, Gründe") is a common word too, unless it is among the
    ``famous`` names (top ranks in German-speaking countries: "Thomas", "Wagner").
    """
    common: dict[str, set[str]] = {}
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import (
            DefaultDictionaryFactory,
        )
    except ImportError:  # the themes extra is optional; the hand lists still apply
        logger.warning("simplemma is not installed: common-word marks from hand lists only")
        return common
    factory = DefaultDictionaryFactory()
    wanted = {name.casefold() for name in names}
    for language in LEXICON_LANGUAGES:
        lexicon = factory.get_dictionary(language)
        forms = Counter(lexicon.values())
        for word in wanted:
            lemma = lexicon.get(word)
            if lemma is None or not lemma[:1].islower():
                continue
            proper = lexicon.get(word[:1].upper() + word[1:], "")[:1].isupper()
            if not proper or forms[lemma] >= 3:
                common.setdefault(word, set()).add(language)
        if language == "de":
            for word in wanted - famous:
                lemma = lexicon.get(word[:1].upper() + word[1:])
                if lemma is not None and lemma[:1].isupper() and forms[lemma] >= 3:
                    common.setdefault(word, set()).add(language)
        del lexicon, forms
    return common


def gazetteer_path(models_dir: Path | str | None = None) -> Path:
    """Where the gazetteer lives: ``<models_dir>/privacy/names-v2.tsv.gz``.

    ``models_dir`` defaults to ``$TARINA_MODELS_DIR``, else ``var/models`` of the checkout,
    the same default as Django's ``TARINA_MODELS_DIR`` setting.
    """
    if models_dir is None:
        default = Path(__file__).resolve().parents[2] / "var" / "models"
        models_dir = os.environ.get("TARINA_MODELS_DIR") or default
    return Path(models_dir) / "privacy" / GAZETTEER_FILENAME


def build_gazetteer(out_dir: Path | str, *, force: bool = False) -> Path:
    """Build the compact gazetteer into ``out_dir`` and return the file's path.

    Idempotent: an existing file of the current version is kept unless ``force``. The file
    is written under a temporary name and renamed, so concurrent builds never leave a
    half-written file. Needs names-dataset and phonenumbers (and simplemma, optionally),
    and loads all of names-dataset, so run it once at provisioning, not per worker.
    """
    out = Path(out_dir) / GAZETTEER_FILENAME
    if out.exists() and not force and _header_ok(out):
        return out
    started = time.monotonic()
    from names_dataset import NameDataset

    dataset = NameDataset()
    flags: dict[str, int] = {}
    spelling: dict[str, str] = {}
    best: dict[str, int] = {}
    local: dict[str, set[str]] = {}

    def add(name: str, flag: int, ranks: dict[str, int] | None = None) -> None:
        key = name.casefold()
        if key in NEVER_NAMES:
            return
        flags[key] = flags.get(key, 0) | flag
        spelling.setdefault(key, name)
        for country, rank in (ranks or {}).items():
            best[key] = min(best.get(key, NO_RANK), rank)
            if rank <= LOCAL_RANK_CUT:
                for language, countries in LANGUAGE_COUNTRIES.items():
                    if country in countries:
                        local.setdefault(key, set()).add(language)

    for name, ranks in _popular(dataset.first_names, FIRST_RANK_CUT):
        add(name, FIRST, ranks)
    for name, ranks in _popular(dataset.last_names, LAST_RANK_CUT):
        add(name, LAST, ranks)
    del dataset
    for name in PLACES:
        add(name, PLACE)
    # Towns from phone-number data are many and obscure ("Elena" in Bulgaria): they only
    # mark names that are not popular first names anyway.
    for name in _town_names():
        key = name.casefold()
        if not (flags.get(key, 0) & FIRST and best.get(key, NO_RANK) <= 500):
            add(name, PLACE)

    famous = {k for k, rank in best.items() if rank <= FAMOUS_RANK and "de" in local.get(k, ())}
    common = _lexicon_common((k for k, f in flags.items() if f & (FIRST | LAST)), famous)
    for language, names in COMMON_WORD_NAMES.items():
        for word in names:
            if word in flags:
                common.setdefault(word, set()).add(language)

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".names-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as fh:
            fh.write(HEADER + "\n")
            for key in sorted(flags):
                letters = "".join(
                    letter
                    for bit, letter in ((FIRST, "F"), (LAST, "L"), (PLACE, "P"))
                    if flags[key] & bit
                )
                langs = ",".join(sorted(common.get(key, ())))
                popular = ",".join(sorted(local.get(key, ())))
                rank = best.get(key, NO_RANK)
                fh.write(f"{spelling[key]}\t{letters}\t{langs}\t{popular}\t{rank}\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the workers read it
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    logger.info("gazetteer: %d entries in %s (%.1f s)", len(flags), out, time.monotonic() - started)
    load_gazetteer.cache_clear()
    return out


def _header_ok(path: Path) -> bool:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return fh.readline().rstrip("\n") == HEADER
    except (OSError, EOFError):
        return False


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """Load (once per process and path) the gazetteer built by ``build_gazetteer``.

    ``path`` defaults to ``gazetteer_path()``. Raises ``GazetteerMissing`` when absent.
    """
    file = Path(path) if path is not None else gazetteer_path()
    if not file.exists():
        raise GazetteerMissing(
            f"no privacy gazetteer at {file}: run `python manage.py provision_models` "
            "(or media_pipeline.privacy.build_gazetteer)"
        )
    entries: dict[str, Entry] = {}
    letters = {"F": FIRST, "L": LAST, "P": PLACE}
    # Few distinct language sets: share the frozensets to keep memory small.
    interned: dict[str, frozenset[str]] = {"": frozenset()}
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        if fh.readline().rstrip("\n") != HEADER:
            raise GazetteerMissing(f"{file} is not a v{GAZETTEER_VERSION} gazetteer: rebuild it")
        for line in fh:
            name, flag_letters, langs, popular, rank = line.rstrip("\n").split("\t")
            if langs not in interned:
                interned[langs] = frozenset(langs.split(","))
            if popular not in interned:
                interned[popular] = frozenset(popular.split(","))
            entries[name.casefold()] = Entry(
                sum(letters[ch] for ch in flag_letters),
                interned[langs],
                interned[popular],
                int(rank),
            )
    return Gazetteer(entries=entries)
