"""Person names: gazetteer hits, Finnish inflection and context, not capitalisation alone.

A capitalised word is a name candidate only when the gazetteer knows it as a first or last
name (after stripping Finnish case endings or a genitive -s), or when context says so: a
title ("rouva", "Herr"), a self-introduction ("nimeni on", "jag heter"), a relation ("my
neighbour") or a verb of saying ("kertoi", "sagte"). Names that are also everyday words
("Anna" is "give!" in Finnish, "Will" in English) or places ("Lahti") need context or a
neighbouring name; sentence-initial words need to be unambiguous names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from media_pipeline.privacy.cues import (
    AMBIGUOUS_EVERYWHERE,
    INSTITUTION_WORDS,
    INTRODUCTIONS,
    NEVER_NAMES,
    NOT_NAMES_ALONE,
    PARTICLES,
    RELATIONS,
    SAYING,
    TITLES,
    WEAK_INTRODUCTIONS,
    words,
)
from media_pipeline.privacy.finnish import finnish_base_forms
from media_pipeline.privacy.gazetteer import FIRST, LAST, NO_RANK, PLACE, Gazetteer
from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

# Words, with inner hyphens, apostrophes and Finnish colon endings ("Smith:lle").
_WORD = re.compile(r"[^\W\d_]+(?:[-'’:][^\W\d_]+)*")  # noqa: RUF001 - typographic quote
_OPENERS = " \t\"'“”‘’«»(–—-*"  # noqa: RUF001 - typographic characters on purpose
_SENTENCE_END = ".!?…:\n"
# German capitalises nouns; an article before a capitalised word makes it a noun ("der
# Fischer", "die Bauer-Familie"), not a name.
_DE_ARTICLES = words(
    "der die das den dem des ein eine einen einem einer eines kein keine unser unsere"
)
# Languages where a capitalised word inside a sentence is a proper noun: there, a name
# that is also a common word ("Anna", "Satu") is still a name mid-sentence.
_LOWERCASE_NOUN_LANGUAGES = frozenset({"en", "fi", "sv", "da", "nb", "no", "nl", "et"})
_MIN_CONFIDENCE = 0.5


# A name ranked this high anywhere in the EU/EEA is trusted in any language ("Anna" is
# no top-1000 name in names-dataset's Finnish list, but it is first in Sweden).
_EVERYWHERE_RANK = 200
# Finnish names whose everyday homograph is a bare verb form ("Anna!" = "give!"): their
# inflected forms ("Annalle") are not verb forms, so they are names again.
_FI_BARE_VERBS = frozenset({"anna"})
# Sentence-initial inflected words must be local names or names this popular.
_INFLECTED_INITIAL_RANK = 50


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int  # excludes an English possessive "'s"
    word: str
    base: str  # uninflected form used as the person key
    flags: int  # gazetteer FIRST/LAST/PLACE of the base
    common: bool  # the base is an everyday word in the text's language
    popular: bool  # a popular name where the language is spoken, or very popular anywhere
    capitalised: bool
    rank: int = NO_RANK  # best rank of the base in the EU/EEA
    local: bool = False  # a popular name in a country where the language is spoken

    @property
    def is_name(self) -> bool:
        return bool(self.flags & (FIRST | LAST))

    @property
    def clear_name(self) -> bool:
        """A name that is neither an everyday word nor a place."""
        return self.is_name and not self.common and not self.flags & PLACE


def _lookup(word: str, language: str, gazetteer: Gazetteer) -> tuple[str, int, bool, bool]:
    """Base form, gazetteer flags, common-word and popularity status of one word."""
    candidates = [word]
    if language == "fi":
        candidates = finnish_base_forms(word)
    elif language in ("sv", "de", "da", "nb", "nl") and len(word) > 3 and word[-1] == "s":
        candidates = [word, word[:-1]]  # genitive: "Karins", "Peters"
    # "Kelan" is the genitive of Kela (an agency), whatever names-dataset says about "Kelan".
    # Short stems are left out: stripping "Anna" gives "An", an English article.
    if word.casefold() in NEVER_NAMES or any(
        len(c) >= 4 and c.casefold() in NEVER_NAMES for c in candidates
    ):
        return word, 0, False, False
    hits = [c for c in candidates if gazetteer.lookup(c)]
    if not hits:
        return word, 0, False, False

    def popular(name: str) -> bool:
        entry = gazetteer.entry(name)
        return language in entry.local or entry.rank <= _EVERYWHERE_RANK

    # The word itself if it is a name; else prefer popular names, then longer bases:
    # "Heikki" over "Heiki", "Nieminen" over "Niemi", "Tuuli" over the Estonian "Tuule".
    base = word if hits[0] == word else max(hits, key=lambda c: (popular(c), len(c)))
    flags = gazetteer.lookup(base)
    if any(gazetteer.lookup(c) & PLACE for c in hits):
        flags |= PLACE
    folded = base.casefold()
    common = gazetteer.is_common_word(base, language) or folded in AMBIGUOUS_EVERYWHERE
    if language == "fi" and folded in _FI_BARE_VERBS and word.casefold() != folded:
        common = False
    return base, flags, common, popular(base)


def _token(match: re.Match[str], language: str, gazetteer: Gazetteer) -> _Token:
    word = match.group()
    start, end = match.span()
    for suffix in ("'s", "’s"):  # noqa: RUF001 - typographic characters on purpose
        if word.endswith(suffix) and len(word) > 3:
            word, end = word[: -len(suffix)], end - len(suffix)
    capitalised = word[:1].isupper() and not (len(word) > 1 and word.isupper())
    if not capitalised:
        return _Token(start, end, word, word, 0, False, False, False)
    parts = word.split("-")
    if len(parts) > 1:  # "Anna-Liisa", "Müller-Lüdenscheidt": a name when every part is
        shaped = all(p[:1].isupper() and not p.isupper() for p in parts)
        looked = [_lookup(p, language, gazetteer) for p in parts] if shaped else []
        if looked and all(f & (FIRST | LAST) for _, f, _, _ in looked):
            base = "-".join(b for b, _, _, _ in looked)
            flags = FIRST | LAST if any(f & FIRST for _, f, _, _ in looked) else LAST
            popular = any(p for _, _, _, p in looked)
            return _Token(start, end, word, base, flags, False, popular, True)
        return _Token(start, end, word, word, 0, False, False, True)
    base, flags, common, popular = _lookup(word, language, gazetteer)
    entry = gazetteer.entry(base)
    local = language in entry.local
    return _Token(start, end, word, base, flags, common, popular, True, entry.rank, local)


class _Context:
    """Words around a run of capitalised tokens."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens

    def _gap(self, left: int, right: int) -> str:
        """Text between token ``left`` and token ``right`` (indices)."""
        return self.text[self.tokens[left].end : self.tokens[right].start]

    def previous_words(self, index: int, count: int) -> tuple[str, ...]:
        """Up to ``count`` lower-cased words before token ``index`` within the sentence."""
        words: list[str] = []
        i = index - 1
        while i >= 0 and len(words) < count:
            gap = self._gap(i, i + 1)
            if gap.strip(" ,.") or "\n" in gap:
                break
            words.insert(0, self.tokens[i].word.casefold())
            i -= 1
        return tuple(words)

    def word_before(self, index: int) -> str | None:
        words = self.previous_words(index, 1)
        return words[0] if words else None

    def word_after(self, index: int) -> str | None:
        if index + 1 >= len(self.tokens):
            return None
        gap = self._gap(index, index + 1)
        if gap.strip(" ,") or "\n" in gap:
            return None
        return self.tokens[index + 1].word.casefold()

    def sentence_initial(self, index: int) -> bool:
        before = self.text[: self.tokens[index].start].rstrip(_OPENERS)
        return not before or before[-1] in _SENTENCE_END

    def introduced(self, index: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
        before = self.previous_words(index, 3)
        return any(before[-len(p) :] == p for p in phrases if len(before) >= len(p))


def _runs(tokens: list[_Token], text: str) -> list[list[int]]:
    """Indices of capitalised tokens joined by single spaces (particles allowed inside).

    A title or relation word ends a run and is left out ("Ihre Mutter Helga" → "Helga"),
    since German capitalises them; not after a first name, though ("Thomas Mann").
    """
    runs: list[list[int]] = []
    current: list[int] = []
    for i, token in enumerate(tokens):
        folded = token.word.casefold()
        joined = bool(current) and text[tokens[current[-1]].end : token.start] == " "
        after_first_name = (
            joined and tokens[current[-1]].flags & FIRST and tokens[current[-1]].popular
        )
        if token.capitalised and (folded in TITLES or folded in RELATIONS) and not after_first_name:
            if current:
                runs.append(current)
            current = []
        elif token.capitalised and folded not in PARTICLES:
            if current and not joined:
                runs.append(current)
                current = []
            current.append(i)
        elif folded in PARTICLES and current and joined:
            current.append(i)  # kept only if a capitalised token follows
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def detect_names(text: str, language: str, gazetteer: Gazetteer) -> list[PersonalDataSpan]:
    """Person-name spans in ``text``; each span's ``key`` is its uninflected full name."""
    tokens = [_token(m, language, gazetteer) for m in _WORD.finditer(text)]
    context = _Context(text, tokens)
    spans: list[PersonalDataSpan] = []
    for run in _runs(tokens, text):
        span = _judge_run(run, tokens, context, language)
        if span is not None and span.confidence >= _MIN_CONFIDENCE:
            spans.append(span)
    return spans


def _judge_run(
    run: list[int], tokens: list[_Token], context: _Context, language: str
) -> PersonalDataSpan | None:
    """Decide whether one run of capitalised tokens is a person, and how sure we are."""
    if any(tokens[i].word.casefold() in INSTITUTION_WORDS for i in run):
        return None
    titled = False
    # Leading titles ("Mr Smith", "Herr Müller", German's capitalised "Mutter Helga") and
    # words that are no names ("Yesterday Mikael") are context, not part of the name.
    while run:
        token = tokens[run[0]]
        folded = token.word.casefold()
        if folded in TITLES or folded in RELATIONS:
            titled = True
        elif token.is_name:
            break
        elif folded not in NEVER_NAMES and (
            titled
            or context.word_before(run[0]) in TITLES
            or _introduced_or_related(run[0], context)
        ):
            break  # unknown to the gazetteer, but context says a name starts here
        run = run[1:]
    while run and (
        tokens[run[-1]].word.casefold() in PARTICLES
        or tokens[run[-1]].word.casefold() in NEVER_NAMES
        or (tokens[run[-1]].flags & PLACE and not tokens[run[-1]].is_name)
    ):
        run = run[:-1]
    run = _without_lone_common_words(run, tokens, context, language, titled)
    if not run:
        return None
    first, last = tokens[run[0]], tokens[run[-1]]
    names = [tokens[i] for i in run if tokens[i].word.casefold() not in PARTICLES]

    before = context.word_before(run[0])
    titled = titled or before in TITLES
    strong = titled or _introduced_or_related(run[0], context)
    weak_intro = context.introduced(run[0], WEAK_INTRODUCTIONS)
    saying = before in SAYING or context.word_after(run[-1]) in SAYING
    initial = context.sentence_initial(run[0])
    article = language == "de" and before in _DE_ARTICLES and not titled

    confidence = 0.0
    if len(names) >= 2:
        if strong or (first.flags & FIRST and any(t.clear_name and t.popular for t in names)):
            confidence = 0.9
        elif all(t.is_name for t in names) and (
            (not first.common and any(t.clear_name and t.popular for t in names))
            # Where only proper nouns are capitalised, a second capitalised name-word is
            # evidence even at the start of a sentence ("Björn Ek säger").
            or language in _LOWERCASE_NOUN_LANGUAGES
        ):
            confidence = 0.7  # "Virtanen Mikael", "… Satu Aalto": name-words side by side
    else:
        token = names[0]
        if token.clear_name and (strong or saying or weak_intro):
            confidence = 0.95
        elif token.clear_name and token.popular:
            confidence = 0.85 if token.flags & FIRST else 0.75
            if initial:
                confidence -= 0.15
                if token.word != token.base and not (
                    token.local or token.rank <= _INFLECTED_INITIAL_RANK
                ):
                    # Sentence-initial inflected words are often verbs or nouns whose
                    # stripped stems hit some name ("Annoin" → "Anto").
                    confidence = 0.0
            elif language == "de" and not token.flags & FIRST:
                confidence = 0.5  # German nouns are capitalised and many are surnames
        elif token.clear_name:
            # A rarer name: trusted mid-sentence where only proper nouns are capitalised.
            if language in _LOWERCASE_NOUN_LANGUAGES and not initial:
                confidence = 0.6
        elif token.is_name:
            if strong:
                confidence = 0.85
            elif saying or weak_intro:
                confidence = 0.75
            elif (
                language in _LOWERCASE_NOUN_LANGUAGES
                and not initial
                and not token.flags & PLACE
                and token.base.casefold() not in AMBIGUOUS_EVERYWHERE
            ):
                confidence = 0.6
        elif strong and token.word.casefold() not in NEVER_NAMES:
            confidence = 0.75  # unknown to the gazetteer, but "nimeni on Xyz"
    if article:
        confidence = min(confidence, 0.4)
    if confidence <= 0:
        return None
    source = "gazetteer+context" if strong or saying or weak_intro else "gazetteer"
    key = " ".join(t.base.casefold() for t in names)
    return PersonalDataSpan(
        type=SpanType.PERSON,
        start=first.start,
        end=last.end,
        text=context.text[first.start : last.end],
        confidence=round(confidence, 2),
        source=source,
        key=key,
    )


def _without_lone_common_words(
    run: list[int], tokens: list[_Token], context: _Context, language: str, titled: bool
) -> list[int]:
    """``run`` without pronouns and quantifiers that are never names on their own.

    "Ingen" or "Toinen" alone is dropped, and so is one that opens a run whose next word
    is no surname ("Ingen Anna kom"); after a first name ("Matti Toinen") or with a title
    ("herra Toinen") it stays, since it is a surname there.
    """
    common = NOT_NAMES_ALONE.get(language, frozenset())
    if not run or titled or context.word_before(run[0]) in TITLES:
        return run
    if tokens[run[0]].word.casefold() in common:
        following = tokens[run[1]] if len(run) > 1 else None
        if following is None or not following.flags & LAST or following.flags & FIRST:
            run = run[1:]
    if len(run) == 1 and tokens[run[0]].word.casefold() in common:
        return []
    return run


def _introduced_or_related(index: int, context: _Context) -> bool:
    before = context.word_before(index)
    return (before in RELATIONS) or context.introduced(index, INTRODUCTIONS)
