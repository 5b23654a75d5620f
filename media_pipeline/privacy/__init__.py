"""Personal-data detection and redaction for story texts (pure Python, no Django).

    from media_pipeline.privacy import detect, redact
    spans = detect(text, "fi", known_identifiers=["mikko_v", "Mikko Virtanen"], region="FI")
    print(redact(text, spans))

Person names need the gazetteer built once by ``build_gazetteer`` (``manage.py
provision_models``). See docs/privacy-detection.md.
"""

from media_pipeline.privacy.detector import detect
from media_pipeline.privacy.gazetteer import (
    Gazetteer,
    GazetteerMissing,
    build_gazetteer,
    gazetteer_path,
    load_gazetteer,
)
from media_pipeline.privacy.redaction import PLACEHOLDERS, PersonNumbering, redact
from media_pipeline.privacy.spans import PersonalDataSpan, SpanType, resolve_overlaps

__all__ = [
    "PLACEHOLDERS",
    "Gazetteer",
    "GazetteerMissing",
    "PersonNumbering",
    "PersonalDataSpan",
    "SpanType",
    "build_gazetteer",
    "detect",
    "gazetteer_path",
    "load_gazetteer",
    "redact",
    "resolve_overlaps",
]
