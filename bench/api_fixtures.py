"""Fill a PostgreSQL database with published stories for the API load benchmark.

``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tarina_perf python bench/api_fixtures.py``

Writes ``--stories`` (100,000) published stories the way publishing leaves them: a
``Story`` in status ``published`` and its ``PublishedStory`` copy with confirmed themes,
entries in published collections, search words written by ``stories.domain.search``
(the lemmas ``search.index`` stores when a story is published), and a public audio file
for audio and video stories, and a meaning vector for every published story (synthetic:
stories drawn around 60 topics, so that each has close neighbours as real ones do; the
cost of "related stories" depends on how many vectors there are, not on what they say).
About 5 % more stories are in other states (withdrawn, in review,
approved) so the public filters have something to filter out.

Texts are real sentences, sampled at run time from the seed documents (Finnish, German,
Swedish) and the FLEURS transcripts (English, German) in ``../shared``; nothing is copied
into the repository. Rows go in with ``bulk_create`` in batches; the whole load takes a
minute or two on two cores. Refuses to touch a database that already holds stories
unless ``--replace`` (which deletes the benchmark's drives and everything in them);
``--add-vectors`` only writes the vectors missing from an earlier load.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DRIVE_PREFIX = "perf-"
# Share of stories per language ("" = not detected: searched with the "simple" config).
LANGUAGES = {"fi": 0.45, "en": 0.25, "sv": 0.14, "de": 0.13, "": 0.03}
KINDS = {"audio": 0.55, "text": 0.25, "video": 0.1, "photo": 0.1}
PLACES = [
    "Helsinki", "Espoo", "Tampere", "Vantaa", "Oulu", "Turku", "Jyväskylä", "Kuopio",
    "Lahti", "Pori", "Joensuu", "Lappeenranta", "Vaasa", "Seinäjoki", "Rovaniemi",
    "Mikkeli", "Kotka", "Salo", "Porvoo", "Kokkola", "Hyvinkää", "Lohja", "Järvenpää",
    "Rauma", "Kajaani", "Kerava", "Savonlinna", "Nokia", "Kangasala", "Ylöjärvi", "",
]  # fmt: skip
SEED_LANGUAGES = {"000": "fi", "001": "de", "002": "sv", "003": "fi", "004": "fi"}
COLLECTIONS = 40
UNPUBLISHED_COLLECTIONS = 8
BATCH = 5000
TOPICS = 60
# Spread around a topic: two stories of one topic land at cosine ~0.9, above the floor
# of related stories, as neighbours from the real encoder do.
TOPIC_SPREAD = 0.016


def sentences() -> dict[str, list[str]]:
    """Real sentences per language, from the seed documents and FLEURS transcripts."""
    pools: dict[str, list[str]] = {code: [] for code in LANGUAGES if code}
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        language = SEED_LANGUAGES.get(path.name[:3])
        if language is None:
            continue
        text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8", errors="replace"))
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            sentence = sentence.strip()
            if 25 <= len(sentence) <= 280 and sum(c.isalpha() for c in sentence) > 20:
                pools[language].append(sentence)
    for path in sorted((SHARED / "speech" / "fleurs").glob("fleurs-*.txt")):
        language = path.name.split("-")[1]
        words = path.read_text(encoding="utf-8").strip()
        if language in pools and words:
            pools[language].append(words[0].upper() + words[1:] + ".")
    missing = [code for code, pool in pools.items() if len(pool) < 5]
    if missing:
        raise SystemExit(f"Too few sentences for {missing}: is {SHARED} there?")
    return pools


def weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def story_text(rng: random.Random, pool: list[str]) -> tuple[str, str]:
    """A title (the first words of the story) and two to nine sentences of text."""
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(2, 9)))
    words = chosen[0].rstrip(".!?").split()
    title = " ".join(words[: rng.randint(3, 7)]) if rng.random() < 0.8 else ""
    return title[:200], " ".join(chosen)


def batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000, help="Published stories.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--replace", action="store_true", help="Delete an earlier benchmark load first."
    )
    parser.add_argument(
        "--add-vectors", action="store_true", help="Only write missing meaning vectors."
    )
    return parser.parse_args()


def relate() -> int:
    """Each vector row's related stories, as ``manage.py embed_stories`` finds them; only
    when some row has none yet (a load made before the lists were kept)."""
    from stories.domain import embeddings
    from stories.models import StoryEmbedding

    if not StoryEmbedding.objects.filter(related__isnull=True).exists():
        return 0
    return embeddings.relate_all()


def write_vectors(seed: int) -> int:
    """A meaning vector for every published story that has none; the number written."""
    import numpy as np

    from media_pipeline.meaning import DIMENSIONS, MODEL_NAME, to_bytes
    from stories.models import PublishedStory, StoryEmbedding

    generator = np.random.default_rng(seed)
    topics = generator.normal(size=(TOPICS, DIMENSIONS)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    missing = list(
        PublishedStory.objects.filter(embedding__isnull=True).values_list("pk", flat=True)
    )
    for chunk in batches(missing):
        noise = generator.normal(scale=TOPIC_SPREAD, size=(len(chunk), DIMENSIONS))
        vectors = topics[generator.integers(TOPICS, size=len(chunk))] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        StoryEmbedding.objects.bulk_create(
            StoryEmbedding(
                publication_id=pk,
                model=MODEL_NAME,
                vector=to_bytes(vector.astype(np.float32)),
                text_hash=hashlib.sha256(f"perf-{pk}".encode()).hexdigest(),
            )
            for pk, vector in zip(chunk, vectors, strict=True)
        )
    return len(missing)


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import storages
    from django.db import connection, models, transaction
    from django.utils import timezone

    from stories.domain import search
    from stories.enums import StoryStatus
    from stories.models import (
        Collection,
        CollectionStory,
        Drive,
        PublishedStory,
        Story,
        Theme,
    )

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own.")
    if args.add_vectors:
        print(f"{write_vectors(args.seed)} meaning vectors written")
        print(f"related stories found for {relate()} stories")
        return
    drives = Drive.objects.filter(slug__startswith=DRIVE_PREFIX)
    if Story.objects.exists():
        if not args.replace:
            raise SystemExit(
                f"{Story.objects.count()} stories are already there; --replace to start over."
            )
        started = time.monotonic()
        with transaction.atomic():
            Collection.objects.filter(slug__startswith=DRIVE_PREFIX).delete()
            PublishedStory.objects.filter(drive__in=drives).delete()
            Story.objects.filter(drive__in=drives).delete()
            drives.delete()
        print(f"removed the earlier load in {time.monotonic() - started:.1f} s")

    rng = random.Random(args.seed)
    pools = sentences()
    themes = list(Theme.objects.order_by("position"))
    if not themes:
        raise SystemExit("No themes: run `manage.py migrate` first.")
    # Some themes come up far more often than others, as in real drives.
    theme_weights = [1.0 / (1 + index * 0.35) for index in range(len(themes))]
    now = timezone.now()
    started = time.monotonic()

    # A public audio file for audio and video stories: feeds report its size.
    public = storages["public"]
    audio_name = "stories/perf-sample.m4a"
    if not public.exists(audio_name):
        from django.core.files.base import ContentFile

        public.save(audio_name, ContentFile(b"\0" * 48_000))

    drive_objects = Drive.objects.bulk_create(
        Drive(
            slug=f"{DRIVE_PREFIX}{index}",
            title=f"Benchmark drive {index}",
            expected_languages=["fi", "sv", "en", "de"],
            default_language="fi",
            allow_light_touch=True,
        )
        for index in range(8)
    )

    published_count = args.stories
    other_count = published_count // 20
    stories: list[Story] = []
    for index in range(published_count + other_count):
        language = weighted(rng, LANGUAGES)
        title, text = story_text(rng, pools[language or rng.choice(["fi", "en"])])
        if index < published_count:
            status = StoryStatus.PUBLISHED
        else:
            status = rng.choice(
                [StoryStatus.WITHDRAWN, StoryStatus.NEEDS_REVIEW, StoryStatus.APPROVED]
            )
        submitted = now - datetime.timedelta(seconds=rng.randint(3600, 730 * 86400))
        stories.append(
            Story(
                drive=rng.choice(drive_objects),
                kind=weighted(rng, KINDS),
                title=title,
                text=text,
                language=language,
                place=rng.choice(PLACES),
                status=status,
                status_changed_at=submitted + datetime.timedelta(days=rng.randint(1, 10)),
                receipt_hash=hashlib.sha256(f"perf-{args.seed}-{index}".encode()).hexdigest(),
                submitted_at=submitted,
            )
        )
    with transaction.atomic():
        for chunk in batches(stories):
            Story.objects.bulk_create(chunk)
    print(f"{len(stories)} stories in {time.monotonic() - started:.1f} s")

    publications: list[PublishedStory] = []
    for story in stories[:published_count]:
        assert story.status_changed_at is not None
        audible = story.kind in ("audio", "video")
        publications.append(
            PublishedStory(
                story=story,
                public_id=story.public_id,
                drive=story.drive,
                kind=story.kind,
                language=story.language,
                title=story.title,
                text=story.text,
                place=story.place,
                audio=audio_name if audible else "",
                duration=round(rng.uniform(20, 240), 1) if audible else None,
                research_allowed=rng.random() < 0.6,
                fingerprint=hashlib.sha256(story.receipt_hash.encode()).hexdigest(),
                published_at=story.status_changed_at,
            )
        )
    through = PublishedStory.themes.through
    with transaction.atomic():
        for chunk in batches(publications):
            PublishedStory.objects.bulk_create(chunk)
        links: list[models.Model] = []
        for publication in publications:
            count = rng.choices([0, 1, 2, 3], weights=[0.1, 0.45, 0.3, 0.15])[0]
            chosen = {t.pk for t in rng.choices(themes, weights=theme_weights, k=count)}
            links.extend(through(publishedstory_id=publication.pk, theme_id=pk) for pk in chosen)
        for chunk in batches(links):
            through.objects.bulk_create(chunk)
    print(f"{len(publications)} publications, {len(links)} theme links")

    collections = Collection.objects.bulk_create(
        Collection(
            slug=f"{DRIVE_PREFIX}collection-{index}",
            title=f"Collection {index}: " + " ".join(rng.choice(pools["fi"]).split()[:4]),
            description=rng.choice(pools["en"]),
            published_at=None
            if index >= COLLECTIONS
            else now - datetime.timedelta(days=rng.randint(1, 600)),
        )
        for index in range(COLLECTIONS + UNPUBLISHED_COLLECTIONS)
    )
    entries: list[CollectionStory] = []
    for collection in collections:
        members = rng.sample(stories[:published_count], k=rng.randint(20, 400))
        entries.extend(
            CollectionStory(collection=collection, story=story, position=position)
            for position, story in enumerate(members)
        )
        collection.themes.set(rng.sample(themes, k=3))
    CollectionStory.objects.bulk_create(entries, batch_size=BATCH)
    print(f"{len(collections)} collections, {len(entries)} entries")

    # Search words: what search.index() stores when a story is published.
    indexed_at = time.monotonic()
    with transaction.atomic():
        indexed = search.index_all(PublishedStory.objects.filter(drive__in=drive_objects))
    print(f"{indexed} stories indexed for search in {time.monotonic() - indexed_at:.1f} s")
    print(f"{write_vectors(args.seed)} meaning vectors written")
    print(f"related stories found for {relate()} stories")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.get_autocommit() else None
    print(
        f"done in {time.monotonic() - started:.1f} s: {published_count} published stories "
        f"in {settings.DATABASES['default']['NAME']}"
    )


if __name__ == "__main__":
    main()
