"""``manage.py embed_stories``: store the meaning vector of every published story and every
public clip that lacks a current one (after an upgrade, or a change of encoder), every
story's related stories anew (lists thinned by withdrawals fill up again), and the vectors
of the themes' descriptions and examples that theme suggestions compare with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stories.domain import clip_embeddings, clips, embeddings, themes


class Command(BaseCommand):
    help = "Embed the anonymised text of published stories and clips that have no current vector."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=32)

    def handle(self, *args: Any, **options: Any) -> None:
        size = max(1, options["batch_size"])
        done = embeddings.embed_missing(batch_size=size)
        cut = clip_embeddings.embed_missing(list(clips.live()), batch_size=size)
        related = embeddings.relate_all()
        themes.prepare_meaning()
        self.stdout.write(
            f"embedded {done} published stories and {cut} clips; related stories found for "
            f"{related}; the themes' descriptions and examples are ready"
        )
