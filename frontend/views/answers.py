"""The drive's questions as the reporter page's form shows them (stories.domain.questions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stories.domain import questions
from stories.models import Drive


def question_rows(drive: Drive, language: str, posted: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each question with its inputs' names and the values posted before (if the form came
    back with a problem), for ``reporter/_questions.html``."""
    rows = []
    for question in questions.asked(drive, language):
        name = f"q-{question.key}"
        row: dict[str, Any] = {
            "key": question.key,
            "kind": question.kind,
            "prompt": question.prompt,
        }
        if question.kind == questions.TRIAD:
            row["corners"] = [
                {
                    "key": o.key,
                    "label": o.label,
                    "name": f"{name}-{o.key}",
                    "value": posted.get(f"{name}-{o.key}") or "0",
                }
                for o in question.options
            ]
            row["max"] = questions.TRIAD_MAX
        elif question.kind == questions.SLIDER:
            row["left"], row["right"] = question.options[0].label, question.options[1].label
            row["steps"] = [
                {"value": str(i), "checked": posted.get(name) == str(i)}
                for i in range(questions.SLIDER_STEPS)
            ]
        else:
            row["options"] = [
                {"key": o.key, "label": o.label, "checked": posted.get(name) == o.key}
                for o in question.options
            ]
        row["name"] = name
        rows.append(row)
    return rows
