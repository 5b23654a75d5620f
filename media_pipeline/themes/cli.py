"""File-level entry point for ``manage.py suggest_themes`` (the command wraps this)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .learning import ThemeModel
from .tagger import tag
from .taxonomy import Taxonomy


def suggest_for_file(
    path: str | Path,
    lang: str | None = None,
    taxonomy: Taxonomy | None = None,
    *,
    model: ThemeModel | None = None,
) -> dict[str, Any]:
    """Theme suggestions for a story file.

    ``path`` is plain UTF-8 text, or JSON from ``Transcript.to_dict()`` (its ``text``,
    ``language`` and ``segments`` are used, so evidence gets timestamps). ``lang`` overrides
    the language; otherwise a transcript's language or detection decides. Returns
    ``{"path", "language", "language_probability", "supported", "reason",
    "taxonomy_version", "themes": [{"theme", "label", "score", "suggested", "evidence"}]}``.
    """
    p = Path(path)
    raw = p.read_text(encoding="utf-8")
    text, segments, language = raw, None, lang
    if p.suffix.lower() == ".json":
        data = json.loads(raw)
        text = str(data.get("text") or "")
        segments = data.get("segments") or None
        language = lang or data.get("language") or None
    result = tag(text, language, taxonomy, segments=segments, model=model).to_dict()
    return {
        "path": str(p),
        "language": result["language"],
        "language_probability": result["language_probability"],
        "supported": result["supported"],
        "reason": result["reason"],
        "taxonomy_version": result["taxonomy_version"],
        "themes": [
            {k: s[k] for k in ("theme", "label", "score", "suggested", "evidence")}
            for s in result["suggestions"]
        ],
    }
