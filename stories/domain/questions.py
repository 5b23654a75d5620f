"""A drive's own questions that reporters answer about their story (self-signification),
and the patterns curators read from the answers.

A drive asks any of (all optional for the reporter):

- a **triad**: three corners ("this story is about… power / care / information"); the
  answer is how much of each, kept as shares that add up to 1;
- a **slider**: a scale between two ends, answered on seven steps, kept as 0 to 100;
- a **choice**: one of a few options;
- an **area**: one of the drive's own places (``Drive.areas``, a GeoJSON feature
  collection), never a GPS point.

Every wording is a ``{language code: text}`` mapping, shown in the reader's language or
else English. Answers are private: curators and services see them only counted, with small
cells suppressed as on the dashboard (``coverage.suppressed``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from stories.domain import coverage
from stories.enums import StoryStatus, ThemeTagState
from stories.models import Drive, Story

TRIAD, SLIDER, CHOICE, AREA = "triad", "slider", "choice", "area"
KINDS = (TRIAD, SLIDER, CHOICE)
SLIDER_STEPS = 7  # the scale a reporter answers on; kept as 0..100
TRIAD_MAX = 10  # each corner's weight on the reporter page
AREA_KEY = "area"


class InvalidAnswers(Exception):
    """Answers that do not fit the drive's questions; the message says which and why."""


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question as a reader sees it, in their language."""

    key: str
    kind: str
    prompt: str
    options: tuple[Option, ...]  # triad corners, slider ends (left, right), choices, areas


def wording(texts: Mapping[str, str] | str, language: str) -> str:
    """``texts`` in ``language``, else English, else any."""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def _options(definition: Mapping[str, Any], language: str) -> tuple[Option, ...]:
    if definition["type"] == SLIDER:
        ends = (definition["left"], definition["right"])
        return tuple(Option(str(i), wording(end, language)) for i, end in enumerate(ends))
    entries = definition["corners"] if definition["type"] == TRIAD else definition["options"]
    return tuple(Option(entry["key"], wording(entry["label"], language)) for entry in entries)


def areas_of(drive: Drive, language: str) -> tuple[Option, ...]:
    """The drive's places, by key and name in ``language``."""
    features = (drive.areas or {}).get("features", [])
    return tuple(
        Option(f["properties"]["key"], wording(f["properties"]["name"], language)) for f in features
    )


def asked(drive: Drive, language: str) -> list[Question]:
    """The drive's questions in ``language``, the area question last when it has places."""
    questions = [
        Question(d["key"], d["type"], wording(d["prompt"], language), _options(d, language))
        for d in drive.questions or []
    ]
    places = areas_of(drive, language)
    if places:
        questions.append(Question(AREA_KEY, AREA, _("Where does your story take place?"), places))
    return questions


class InvalidQuestions(Exception):
    """A drive's question definitions or areas that the reporter page could not ask."""


def check_definitions(questions: Any, areas: Any) -> None:
    """Raise ``InvalidQuestions`` unless ``questions`` and ``areas`` are well formed."""
    if not isinstance(questions, list):
        raise InvalidQuestions("questions must be a list")
    seen = {AREA_KEY}
    for d in questions:
        if not isinstance(d, dict) or d.get("type") not in KINDS:
            raise InvalidQuestions(f"each question needs a type among {KINDS}: {d!r}")
        key = d.get("key")
        if not isinstance(key, str) or not key.isidentifier() or key in seen:
            raise InvalidQuestions(f"question keys are unique words (not 'area'): {key!r}")
        seen.add(key)
        needed = {TRIAD: ("prompt", "corners"), SLIDER: ("prompt", "left", "right")}
        for name in needed.get(d["type"], ("prompt", "options")):
            if name not in d:
                raise InvalidQuestions(f"question {key!r} needs {name!r}")
        if d["type"] == TRIAD and len(d["corners"]) != 3:
            raise InvalidQuestions(f"the triad {key!r} has three corners")
    features = (areas or {}).get("features", []) if isinstance(areas, dict) else None
    if features is None:
        raise InvalidQuestions("areas must be a GeoJSON FeatureCollection")
    for f in features:
        props = f.get("properties") or {}
        if not isinstance(props.get("key"), str) or "name" not in props:
            raise InvalidQuestions("each area needs properties.key and properties.name")
        if (f.get("geometry") or {}).get("type") not in ("Polygon", "MultiPolygon"):
            raise InvalidQuestions(f"area {props.get('key')!r} needs a Polygon or MultiPolygon")


# --- Checking answers (the API and the web form alike) ----------------------------------


def clean(drive: Drive, answers: Mapping[str, Any] | None) -> dict[str, Any]:
    """``answers`` checked against the drive's questions and normalised for storage.

    Unanswered questions are left out. Raises ``InvalidAnswers`` naming the first problem.
    """
    if not answers:
        return {}
    if not isinstance(answers, Mapping):
        raise InvalidAnswers(_("Answers must be an object of question keys and answers."))
    by_key = {q.key: q for q in asked(drive, "en")}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            raise InvalidAnswers(_("This drive asks no question “%(key)s”.") % {"key": key})
        if value is None or value == "":
            continue
        answer = _clean_one(question, value)
        if answer is not None:
            cleaned[key] = answer
    return cleaned


def _clean_one(question: Question, value: Any) -> Any:
    keys = [o.key for o in question.options]
    if question.kind == TRIAD:
        return _triad_shares(question, keys, value)
    if question.kind == SLIDER:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidAnswers(
                _("“%(key)s” is answered with a whole number from 0 to 100.")
                % {"key": question.key}
            )
        return value
    if value not in keys:
        raise InvalidAnswers(
            _("“%(key)s” is answered with one of: %(keys)s.")
            % {"key": question.key, "keys": ", ".join(keys)}
        )
    return value


def _triad_shares(question: Question, keys: list[str], value: Any) -> dict[str, float] | None:
    problem = _("“%(key)s” is answered with a weight from 0 to 10 for each of: %(keys)s.") % {
        "key": question.key,
        "keys": ", ".join(keys),
    }
    if not isinstance(value, Mapping) or set(value) - set(keys):
        raise InvalidAnswers(problem)
    weights = {k: value.get(k, 0) for k in keys}
    for weight in weights.values():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise InvalidAnswers(problem)
        if not 0 <= weight <= TRIAD_MAX:
            raise InvalidAnswers(problem)
    total = sum(weights.values())
    if total == 0:
        return None  # every corner at zero: not answered
    return {k: round(w / total, 3) for k, w in weights.items()}


def from_form(drive: Drive, data: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as the reporter page posts them (``q-<key>``, a triad's corners as
    ``q-<key>-<corner>``), before ``clean``. A value that is not a number stays as sent,
    for ``clean`` to refuse."""
    raw: dict[str, Any] = {}
    for question in asked(drive, "en"):
        name = f"q-{question.key}"
        if question.kind == TRIAD:
            corners = {o.key: _number(data.get(f"{name}-{o.key}", "")) for o in question.options}
            if any(v not in (0, "") for v in corners.values()):
                raw[question.key] = {k: (0 if v == "" else v) for k, v in corners.items()}
        elif question.kind == SLIDER:
            step = _number(data.get(name, ""))
            if isinstance(step, int) and 0 <= step < SLIDER_STEPS:
                raw[question.key] = round(step * 100 / (SLIDER_STEPS - 1))
            elif step != "":
                raw[question.key] = step
        elif data.get(name):
            raw[question.key] = data.get(name)
    return raw


def _number(value: str) -> int | str:
    text = str(value).strip()
    return int(text) if text.isdigit() else text


# --- Patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    key: str
    count: str  # suppressed
    pct: int  # bar width, from the rounded count


@dataclass(frozen=True)
class Distribution:
    question: Question
    cells: list[Cell]


def answered_stories(drive: Drive, theme: str = "") -> Iterable[Mapping[str, Any]]:
    """The answers of the drive's stories that are not withdrawn; with ``theme``, only of
    stories where a curator confirmed it (a rejected theme never counts)."""
    stories = Story.objects.filter(drive=drive).exclude(status=StoryStatus.WITHDRAWN)
    if theme:
        stories = stories.filter(
            theme_tags__theme__slug=theme, theme_tags__state=ThemeTagState.CONFIRMED
        )
    return stories.exclude(answers={}).values_list("answers", flat=True)


def area_counts(drive: Drive) -> dict[str, int]:
    """Stories per area key (unsuppressed: for the map, which suppresses as it draws)."""
    return dict(Counter(a[AREA_KEY] for a in answered_stories(drive) if AREA_KEY in a))


def triad_region(shares: Mapping[str, float], corners: list[str]) -> str:
    """The corner a triad answer leans to (half of it or more), else "mixed"."""
    top = max(corners, key=lambda k: shares.get(k, 0.0))
    return top if shares.get(top, 0.0) >= 0.5 else "mixed"


def slider_band(value: int) -> str:
    """Which fifth of the scale (0-19 … 80-100) a slider answer falls in."""
    return str(min(value // 20, 4))


def distributions(drive: Drive, language: str, theme: str = "") -> list[Distribution]:
    """Each question's answers counted per option (a triad per leaning corner, a slider per
    fifth of its scale), with small counts suppressed."""
    answers = list(answered_stories(drive, theme))
    out = []
    for question in asked(drive, language):
        counts = Counter(_bucket(question, a[question.key]) for a in answers if question.key in a)
        out.append(Distribution(question, _cells(question, counts)))
    return out


def _bucket(question: Question, answer: Any) -> str:
    if question.kind == TRIAD:
        return triad_region(answer, [o.key for o in question.options])
    if question.kind == SLIDER:
        return slider_band(int(answer))
    return str(answer)


def _cells(question: Question, counts: Counter[str]) -> list[Cell]:
    if question.kind == TRIAD:
        labels = [(o.key, o.label) for o in question.options] + [("mixed", _("mixed"))]
    elif question.kind == SLIDER:
        left, right = question.options[0].label, question.options[1].label
        names = [left, "", "", "", right]
        labels = [
            (str(i), f"{i * 20}-{i * 20 + 19 if i < 4 else 100} {names[i]}".strip())
            for i in range(5)
        ]
    else:
        labels = [(o.key, o.label) for o in question.options]
    top = max((coverage.rounded(n) for n in counts.values()), default=0) or 1
    return [
        Cell(
            label,
            key,
            coverage.suppressed(counts[key]),
            round(100 * coverage.rounded(counts[key]) / top),
        )
        for key, label in labels
    ]
