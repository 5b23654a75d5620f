"""Transcription engines. Import the one you need; each pulls in its own heavy runtime."""
