"""Former name of :mod:`media_pipeline.speech.loader`, kept for two callers only.

``media_pipeline/transcription.py`` and the ``transcribe`` management command are being
moved into ``stories/`` separately; once they import from ``media_pipeline.speech.loader``
this module should be deleted. Nothing new should import it.
"""

from media_pipeline.speech.loader import Transcriber, get_transcriber

__all__ = ["Transcriber", "get_transcriber"]
