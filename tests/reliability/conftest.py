"""Fixtures shared with the speech tests: the FLEURS clips, for the crash tests here."""

from tests.media_pipeline.conftest import fleurs_dir

__all__ = ["fleurs_dir"]
