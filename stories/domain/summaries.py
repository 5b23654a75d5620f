"""An abstractive summary of an insights report, from a language model the operator runs
(any OpenAI-compatible chat endpoint: llama.cpp's server, vLLM). Off unless
``TARINA_SUMMARY_URL`` is set; the extractive report never depends on it.

Only the report's quotes go out: sentences of published, anonymised text. The model is
told to cite them as [n], and every sentence of its answer that cites no quote given is
dropped, so what is left is grounded in quotes the reader can check. Surfaces mark it as
machine-written.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from media_pipeline.themes.text import split_sentences
from stories.domain.insights import QuoteLine, Report

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "fi": "Finnish", "sv": "Swedish", "de": "German"}
CITATION = re.compile(r"\[(\d+)\]")
INSTRUCTIONS = (
    "You help a public service hear what community members said. Below are numbered, "
    "anonymised quotes from their stories. Write a short summary (at most {sentences} "
    "sentences) of what they say, in {language}. Use only what the quotes say. End every "
    "sentence with the numbers of the quotes it rests on, like [1] or [2][5]."
)


@dataclass(frozen=True)
class Summary:
    sentences: list[tuple[str, list[QuoteLine]]]  # each sentence with the quotes it cites
    model: str


def enabled() -> bool:
    return bool(settings.TARINA_SUMMARY_URL)


def quotes_of(report: Report) -> list[QuoteLine]:
    """The quotes a summary may rest on, numbered from 1 in this order."""
    return [q for topic in report.topics for q in topic.quotes] + report.standing_apart


def prompt(quotes: list[QuoteLine], language: str, sentences: int = 5) -> list[dict[str, str]]:
    """The chat messages sent: the instructions, then the numbered quotes."""
    numbered = "\n".join(f"[{i}] {q.text}" for i, q in enumerate(quotes, start=1))
    name = LANGUAGE_NAMES.get(language, "English")
    return [
        {"role": "system", "content": INSTRUCTIONS.format(sentences=sentences, language=name)},
        {"role": "user", "content": numbered},
    ]


def grounded(answer: str, quotes: list[QuoteLine]) -> list[tuple[str, list[QuoteLine]]]:
    """The answer's sentences that cite at least one quote given, with those quotes."""
    kept = []
    for span in split_sentences(answer):
        sentence = answer[span.start : span.end]
        cited = sorted({int(n) for n in CITATION.findall(sentence) if 1 <= int(n) <= len(quotes)})
        if cited:
            text = CITATION.sub("", sentence).strip()
            kept.append((re.sub(r"\s+([.!?])$", r"\1", text), [quotes[n - 1] for n in cited]))
    return kept


def _ask(messages: list[dict[str, str]]) -> str:
    body = json.dumps(
        {"model": settings.TARINA_SUMMARY_MODEL, "messages": messages, "temperature": 0}
    ).encode()
    headers = {"Content-Type": "application/json"}
    if settings.TARINA_SUMMARY_API_KEY:
        headers["Authorization"] = f"Bearer {settings.TARINA_SUMMARY_API_KEY}"
    url = f"{settings.TARINA_SUMMARY_URL}/chat/completions"
    # settings refuse any scheme but http(s), so no file: or custom URL is opened here.
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    timeout = settings.TARINA_SUMMARY_TIMEOUT_SECONDS
    with urllib.request.urlopen(request, timeout=timeout) as got:  # noqa: S310
        answer = json.load(got)
    return str(answer["choices"][0]["message"]["content"])


def summarise(report: Report, language: str) -> Summary | None:
    """A grounded summary of ``report`` in ``language``, or None: when no endpoint is
    configured, the report has no quotes, the endpoint fails, or nothing it wrote cites a
    quote."""
    quotes = quotes_of(report)
    if not enabled() or not quotes:
        return None
    try:
        answer = _ask(prompt(quotes, language))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        # urllib's errors are OSErrors; a malformed answer is one of the others.
        logger.warning("insights summary failed: %s", error)
        return None
    sentences = grounded(answer, quotes)
    return Summary(sentences, settings.TARINA_SUMMARY_MODEL) if sentences else None
