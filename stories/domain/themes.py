"""Themes on stories: machine suggestions, reporters' own choices and curators' decisions.

The taxonomy lives in the database (``Theme`` rows, snapshotted as ``TaxonomyVersion`` on
every edit); the tagger in ``media_pipeline.themes`` is pure and is handed a snapshot.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from media_pipeline.meaning import MODEL_NAME, encoder
from media_pipeline.themes import learning
from media_pipeline.themes.semantic import SemanticModel
from media_pipeline.themes.tagger import ThemeSuggestion, tag
from media_pipeline.themes.taxonomy import Taxonomy, load_default
from stories.domain import audit, editing, embeddings, retraining
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, ThemeAction, ThemeSource, ThemeTagState
from stories.models import (
    Story,
    StoryTheme,
    TaxonomyVersion,
    Theme,
    ThemeModelSnapshot,
    Transcript,
)

logger = logging.getLogger(__name__)

_taxonomy_cache: dict[tuple[int, str], Taxonomy] = {}
_semantic_cache: dict[str, tuple[object, SemanticModel]] = {}
# The newest snapshot parsed, keyed by its id: each tagging asks the database for the
# newest id (one indexed query), so a retrain reaches every process on its next story.
_model_cache: dict[str, tuple[tuple[int, str], learning.ThemeModel]] = {}

# The retrain reads at most this many decided stories (the most recently decided): each
# needs its meaning vector, about 35 ms a story on a CPU when not kept from the last
# retrain (TARINA_THEME_MODEL_MAX_STORIES).
MAX_TRAINING_STORIES = 5000
EMBED_BATCH = 32
# Meaning vectors of the stories the last retrain in this process read, by text hash
# (decided_vectors): memory only.
_decided_vectors: dict[str, npt.NDArray[np.float32]] = {}

# Curated published stories join the taxonomy's own examples as labelled examples once
# curators have curated this many: the knobs were chosen with a few hundred curated
# stories, and a handful of them would each weigh too much in their neighbourhood. The
# taxonomy's examples make the meaning work from the first story on.
MIN_CURATED_EXAMPLES = 20


class UnknownTheme(ValueError):
    """A slug that is not in the taxonomy."""


def current_version() -> TaxonomyVersion:
    """The taxonomy in force: the newest version (the shipped one on a fresh install)."""
    return TaxonomyVersion.objects.order_by("-version").first() or install_default_taxonomy()


def install_default_taxonomy() -> TaxonomyVersion:
    """Store the taxonomy shipped with the tagger as the first version."""
    shipped = load_default()
    with transaction.atomic():
        for position, theme in enumerate(shipped.themes):
            data = theme.to_dict()
            Theme.objects.update_or_create(
                slug=theme.slug,
                defaults={
                    "constellation": theme.constellation,
                    "position": position,
                    "labels": data["labels"],
                    "descriptions": data["descriptions"],
                    "signals": data["signals"],
                    "examples": data["examples"],
                },
            )
        version, _ = TaxonomyVersion.objects.get_or_create(
            version=shipped.version, defaults={"data": shipped.to_dict(), "note": "shipped"}
        )
    return version


def current_taxonomy() -> Taxonomy:
    """The taxonomy in force, parsed once per version per process."""
    version = current_version()
    # Keyed by creation time too: a version number names one snapshot only within one
    # database (test databases roll back and reuse numbers in the same process).
    key = (version.version, version.created_at.isoformat())
    if key not in _taxonomy_cache:
        _taxonomy_cache[key] = Taxonomy.from_dict(version.data)
    return _taxonomy_cache[key]


def snapshot_taxonomy(*, note: str, actor: AnyUser | None = None) -> TaxonomyVersion:
    """Record the themes as they are now as a new taxonomy version (after an edit)."""
    with transaction.atomic():
        previous = TaxonomyVersion.objects.select_for_update().order_by("-version").first()
        data: dict[str, Any] = dict(previous.data) if previous else {"languages": []}
        data["themes"] = [
            {
                "slug": t.slug,
                "constellation": t.constellation,
                "labels": t.labels,
                "descriptions": t.descriptions,
                "signals": t.signals,
                "examples": t.examples,
            }
            for t in Theme.objects.all()
        ]
        # A curator who adds signal words in a new language makes the tagger support it.
        languages = list(data.get("languages") or [])
        for theme in data["themes"]:
            languages += [lang for lang in theme["signals"] if lang not in languages]
        data["languages"] = languages
        number = (TaxonomyVersion.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        data["version"] = number
        Taxonomy.from_dict(data)  # refuse to save a taxonomy the tagger cannot read
        user = actor if actor is not None and actor.is_authenticated else None
        version = TaxonomyVersion.objects.create(
            version=number, data=data, note=note, created_by=user
        )
        if previous is not None:
            audit.record(AuditAction.TAXONOMY_EDITED, version, actor=actor, note=note)
    return version


# What curators may change about a theme; slugs and constellations are fixed by the roadmap.
EDITABLE_FIELDS = ("labels", "descriptions", "signals", "examples")


def edit_theme(
    slug: str,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    actor: AnyUser | None,
    note: str = "",
) -> TaxonomyVersion:
    """Change a theme's labels, descriptions, signals or examples and record a new taxonomy
    version.

    ``changes`` maps a field of :data:`EDITABLE_FIELDS` to ``{language: value}``; each
    language given replaces that language's value, the others stay (an empty list of
    examples removes that language's examples). The edit and the new
    version are saved together or not at all: a change the tagger cannot read raises
    :class:`~media_pipeline.themes.taxonomy.TaxonomyError` and nothing is stored.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    current_version()  # a fresh install stores the shipped taxonomy first
    with transaction.atomic():
        theme = Theme.objects.select_for_update().filter(slug=slug).first()
        if theme is None:
            raise UnknownTheme(f"There is no theme called '{slug}'.")
        for field, per_language in changes.items():
            merged = {**getattr(theme, field), **per_language}
            if field == "examples":
                merged = {lang: texts for lang, texts in merged.items() if texts}
            setattr(theme, field, merged)
        theme.save(update_fields=list(changes))
        edited = ", ".join(f"{field} ({', '.join(sorted(changes[field]))})" for field in changes)
        return snapshot_taxonomy(note=note or f"{slug}: {edited}"[:200], actor=actor)


def latest_model() -> learning.ThemeModel | None:
    """The newest model trained on curator decisions, if any; parsed once per snapshot."""
    newest = ThemeModelSnapshot.objects.order_by("-created_at", "-pk").values("pk", "created_at")
    head = newest.first()
    if head is None:
        return None
    # With the creation time: test databases roll back and reuse ids in one process.
    key = (head["pk"], head["created_at"].isoformat())
    cached = _model_cache.get("model")
    if cached is not None and cached[0] == key:
        return cached[1]
    data = ThemeModelSnapshot.objects.values_list("data", flat=True).get(pk=head["pk"])
    model = learning.ThemeModel.from_bytes(bytes(data))
    _model_cache["model"] = (key, model)
    return model


def semantic_model() -> SemanticModel | None:
    """Theme descriptions, the taxonomy's examples and curated published stories as
    vectors, for suggestions by meaning; None when ``TARINA_THEMES_BY_MEANING`` is off.

    Curated stories join once there are ``TARINA_THEMES_MIN_EXAMPLES`` (default
    ``MIN_CURATED_EXAMPLES``) of them. Built once per change per process; descriptions
    and taxonomy examples (about 500 texts) are embedded only when they change, not per
    story and not when only the curated stories change.
    """
    if not getattr(settings, "TARINA_THEMES_BY_MEANING", True):
        return None
    taxonomy = current_taxonomy()
    key = (taxonomy.version, current_version().created_at, embeddings.examples_version())
    cached = _semantic_cache.get("model")
    if cached is not None and cached[0] == key:
        return cached[1]
    curated = embeddings.curated_examples()
    if len(curated) < getattr(settings, "TARINA_THEMES_MIN_EXAMPLES", MIN_CURATED_EXAMPLES):
        curated = []
    described = json.dumps(
        [(t.slug, t.descriptions, t.examples) for t in taxonomy.themes], sort_keys=True
    )
    base = _semantic_cache.get("described")
    if base is None or base[0] != described:
        base = (described, SemanticModel.build(taxonomy, StoredPassages()))
        _semantic_cache["described"] = base
    model = base[1].with_curated(curated, encoder())
    _semantic_cache["model"] = (key, model)
    return model


def prepare_meaning() -> None:
    """Embed the current taxonomy's descriptions and examples now and keep their vectors
    in ``VAR_DIR/meaning/`` (nothing to do when they are kept already), so that the first
    story after a start, an upgrade or a taxonomy edit does not wait for it."""
    if getattr(settings, "TARINA_THEMES_BY_MEANING", True):
        SemanticModel.build(current_taxonomy(), StoredPassages())


class StoredPassages:
    """The encoder, with the vectors of one batch of texts (the taxonomy's descriptions and
    examples, about 500) kept in ``VAR_DIR/meaning/``: embedding them takes tens of seconds
    on a CPU, and every new process (web, worker) would otherwise repeat it."""

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        digest = hashlib.sha256(json.dumps([MODEL_NAME, *texts]).encode()).hexdigest()[:32]
        path = settings.VAR_DIR / "meaning" / f"taxonomy-{digest}.npy"
        try:
            stored = np.load(path)
            if stored.shape[0] == len(texts):
                return np.asarray(stored, dtype=np.float32)
        except (OSError, ValueError):
            pass  # not stored yet, or unreadable: embed again
        vectors = np.asarray(encoder().passages(texts), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, vectors)
            partial.replace(path)  # readers never see half a file
        except OSError as error:
            logger.warning("could not keep the taxonomy's vectors in %s: %s", path, error)
        return vectors


def story_text(story: Story) -> tuple[str, list[dict[str, Any]], str]:
    """What the tagger reads: the story's text, or its transcript with segment timings."""
    transcript = Transcript.objects.filter(story=story).order_by("created_at").first()
    if transcript is not None and transcript.text.strip():
        return transcript.text, transcript.segments, transcript.language or story.language
    return f"{story.title}\n{story.text}".strip(), [], story.language


def suggest(story: Story) -> list[StoryTheme]:
    """Score every theme for ``story`` and store the machine's tags (idempotent).

    A curator's decision on an earlier suggestion is kept: only scores and evidence move.
    """
    text, segments, language = story_text(story)
    taxonomy = current_taxonomy()
    model = latest_model()
    result = tag(
        text,
        language or None,
        taxonomy,
        segments=segments or None,
        model=model,
        semantic=semantic_model(),
    )
    themes = {t.slug: t for t in Theme.objects.all()}
    stored = []
    for item in result.suggestions:
        # The meaning gives every theme some share; a theme that neither the words nor
        # the trained model saw, and that is not suggested, gets no row (nor would a
        # curator want thirteen rows of near-zero scores per story).
        if not item.suggested and item.lexicon_score <= 0 and not (item.model_score or 0) > 0:
            continue
        tag_row, _ = StoryTheme.objects.update_or_create(
            story=story,
            theme=themes[item.theme],
            source=ThemeSource.MACHINE,
            defaults={
                "score": round(item.score, 4),
                "suggested": item.suggested,
                "evidence": [asdict(e) for e in item.evidence] + _example_evidence(item),
                "taxonomy_version": taxonomy.version,
                "model_decisions": model.n_decisions if model else 0,
            },
        )
        stored.append(tag_row)
    editing.adopt_language(story, result.language)
    return stored


def _example_evidence(item: ThemeSuggestion) -> list[dict[str, Any]]:
    """When the story's meaning decided, the closest example with the theme, as evidence a
    curator can read: a curated (published, anonymised) story or a taxonomy example
    (``source`` says which)."""
    if item.example is None:
        return []
    return [
        {
            "text": item.example.excerpt,
            "example": item.example.key,
            "source": item.example.source,
            "similarity": item.example.similarity,
        }
    ]


def record_reporter_themes(story: Story, slugs: Iterable[str]) -> None:
    """The themes a reporter says their story speaks to (self-signification)."""
    for theme in Theme.objects.filter(slug__in=set(slugs)):
        StoryTheme.objects.get_or_create(
            story=story,
            theme=theme,
            source=ThemeSource.REPORTER,
            defaults={"taxonomy_version": current_version().version},
        )


@dataclass(frozen=True)
class ThemeChip:
    """One theme on one story as a curator sees it: every source merged into one decision."""

    theme: Theme
    sources: tuple[str, ...]
    state: str
    score: float | None
    evidence: tuple[dict[str, Any], ...]

    @property
    def decided(self) -> bool:
        """A curator confirmed or rejected it: nothing is left to do on this chip."""
        return self.state != ThemeTagState.SUGGESTED


def chips(tags: Iterable[StoryTheme]) -> list[ThemeChip]:
    """The story's tags folded into one chip per theme, in taxonomy order.

    The reporter's choice, the machine's suggestion and the curator's decision on one theme
    are one chip; its state is the curator's latest decision on any of them.
    """
    by_theme: dict[int, list[StoryTheme]] = {}
    for row in tags:
        by_theme.setdefault(row.theme_id, []).append(row)
    merged = []
    for rows in by_theme.values():
        decided = [r for r in rows if r.decided_at is not None]
        latest = max(decided, key=lambda r: r.decided_at) if decided else None  # type: ignore[arg-type, return-value]
        scores = [r.score for r in rows if r.score is not None]
        merged.append(
            ThemeChip(
                theme=rows[0].theme,
                sources=tuple(sorted({r.source for r in rows})),
                state=latest.state if latest else ThemeTagState.SUGGESTED,
                score=max(scores) if scores else None,
                evidence=tuple(e for r in rows for e in r.evidence or []),
            )
        )
    return sorted(merged, key=lambda c: (c.theme.position, c.theme.slug))


def decide(
    story: Story,
    slug: str,
    action: ThemeAction,
    *,
    actor: AnyUser,
    evidence: Mapping[str, Any] | None = None,
) -> StoryTheme:
    """A curator confirms, rejects or adds a theme, optionally with a passage as evidence.

    The decision is the theme's, whoever put it on the story: every tag of that theme
    (the reporter's, the machine's, an earlier curator's) takes it, so one chip never shows
    two answers. Adding, or a passage given as evidence, keeps a curator's own tag.
    """
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise UnknownTheme(f"There is no theme called '{slug}'.")
    state = ThemeTagState.REJECTED if action == ThemeAction.REJECT else ThemeTagState.CONFIRMED
    user = actor if actor.is_authenticated else None
    decision = {"state": state, "decided_by": user, "decided_at": timezone.now()}
    with transaction.atomic():
        rows = StoryTheme.objects.select_for_update().filter(story=story, theme=theme)
        existing = list(rows)
        if action == ThemeAction.ADD or evidence is not None or not existing:
            own, _ = StoryTheme.objects.get_or_create(
                story=story,
                theme=theme,
                source=ThemeSource.CURATOR,
                defaults={"taxonomy_version": current_version().version, **decision},
            )
            if evidence is not None:
                own.evidence = [*own.evidence, dict(evidence)]
                own.save(update_fields=["evidence", "updated_at"])
        rows.update(**decision)
        audit.record(
            AuditAction.THEME_DECIDED, story, actor=actor, theme=slug, decision=action.value
        )
        # The model learns from it within a minute; a burst of decisions trains once.
        retraining.request_retrain()
    return StoryTheme.objects.filter(story=story, theme=theme).order_by("-source").first()  # type: ignore[return-value]


def curator_decisions() -> list[learning.Decision]:
    """Every decision curators have made, oldest first, as training data."""
    decided = StoryTheme.objects.filter(decided_at__isnull=False).select_related("theme")
    # One decision per story and theme: a decision sets every tag of the theme alike.
    latest: dict[tuple[int, int], StoryTheme] = {}
    sources: dict[tuple[int, int], set[str]] = {}
    for row in decided.order_by("decided_at", "pk"):
        latest[(row.story_id, row.theme_id)] = row
        sources.setdefault((row.story_id, row.theme_id), set()).add(row.source)
    decisions = []
    for key, row in sorted(latest.items(), key=lambda item: item[1].decided_at):  # type: ignore[arg-type, return-value]
        action: learning.Action
        if row.state == ThemeTagState.REJECTED:
            action = "reject"
        elif sources[key] == {ThemeSource.CURATOR}:
            action = "add"
        else:
            action = "confirm"
        decisions.append(learning.Decision(str(row.story_id), row.theme.slug, action))
    return decisions


def retrain(min_decisions: int = 20) -> ThemeModelSnapshot | None:
    """Train a new theme model on curator decisions; None when there are too few yet.

    The model reads each decided story's words and, while suggestions by meaning are on,
    its meaning vector (:func:`decided_vectors`). At most ``TARINA_THEME_MODEL_MAX_STORIES``
    stories are read, the most recently decided ones; a story whose text was erased (a
    withdrawal) teaches nothing and is left out. Earlier models are deleted.
    """
    decisions = curator_decisions()
    if len(decisions) < min_decisions:
        return None
    cap = getattr(settings, "TARINA_THEME_MODEL_MAX_STORIES", MAX_TRAINING_STORIES)
    newest_first = list(dict.fromkeys(int(d.story_id) for d in reversed(decisions)))
    story_ids = set(newest_first[:cap])
    texts = {}
    for story in Story.objects.filter(pk__in=story_ids):
        text, _, language = story_text(story)
        if text.strip():
            texts[str(story.pk)] = (text, language)
    taxonomy = current_taxonomy()
    vectors = None
    if getattr(settings, "TARINA_THEMES_BY_MEANING", True):
        vectors = decided_vectors({pk: text for pk, (text, _) in texts.items()})
    examples = learning.examples_from_decisions(texts, decisions, vectors=vectors)
    model = learning.train(examples, taxonomy)
    with transaction.atomic():
        snapshot = ThemeModelSnapshot.objects.create(
            taxonomy_version=taxonomy.version, data=model.to_bytes(), decisions=model.n_decisions
        )
        # Only the newest model is ever read. Older ones learned from stories that may
        # since have been withdrawn, and one is kept per retrain: they go.
        ThemeModelSnapshot.objects.exclude(pk=snapshot.pk).delete()
    return snapshot


def decided_vectors(texts: Mapping[str, str]) -> dict[str, npt.NDArray[np.float32]]:
    """The meaning vector of each decided story's text (story id -> text), for training.

    Vectors are kept in this process's memory only, keyed by a hash of the text, so the
    next retrain embeds just the stories decided or edited since. Each call keeps only the
    vectors it returns: a withdrawn story's (its text erased) is gone after the next
    retrain, and nothing private is written to disk.
    """
    hashes = {pk: embeddings.text_hash(text) for pk, text in texts.items()}
    kept = {
        digest: _decided_vectors[digest] for digest in hashes.values() if digest in _decided_vectors
    }
    missing = sorted(
        {digest: texts[pk] for pk, digest in hashes.items() if digest not in kept}.items()
    )
    for start in range(0, len(missing), EMBED_BATCH):
        chunk = missing[start : start + EMBED_BATCH]
        made = encoder().passages([text for _, text in chunk])
        kept.update(
            (digest, np.asarray(v, dtype=np.float32))
            for (digest, _), v in zip(chunk, made, strict=True)
        )
    _decided_vectors.clear()
    _decided_vectors.update(kept)
    return {pk: kept[digest] for pk, digest in hashes.items()}
