"""Speech-to-text for Tarina: Whisper weights provisioning and transcription engines.

Nothing heavy is imported here, so ``media_pipeline.speech.weights`` and friends can be
imported (and tested) without torch, CTranslate2 or Django being loaded.
"""
