"""Channels: stories that arrive by e-mail or as a messaging app's voice note.

Each channel turns an inbound message into an ``Inbound`` and hands it to
``dialogue.handle``, which keeps the draft, asks for consent in the same channel and
submits through ``stories.domain.submission`` like the web form. See docs/channels.md.
"""
