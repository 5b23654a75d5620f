"""The public feed, published stories and collections: no login, read-only, only what is public."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories.domain import consent
from stories.enums import StoryStatus
from stories.models import Theme
from stories.models.story import new_public_id
from tests.factories import (
    CollectionFactory,
    DriveFactory,
    StoryFactory,
    published_story,
)

FEED = "/api/v1/feed/"


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def published_collection(db):
    return CollectionFactory(slug="being-heard", published_at=ago(days=1))


def test_anyone_reads_published_stories_newest_first(client_for, published_collection):
    empathy = Theme.objects.get(slug="empathy")
    older = published_story(published_at=ago(days=2))
    newer = published_story(
        title="Heard at last",
        place="Tampere",
        published_at=ago(hours=1),
        themes=[empathy],
        collections=(published_collection,),
    )
    response = client_for().get(FEED)
    assert response.status_code == 200
    assert ids(response) == [newer.public_id, older.public_id]
    item = response.json()["results"][0]
    assert item["title"] == "Heard at last"
    assert item["place"] == "Tampere"
    assert item["text"] == newer.text
    assert item["url"].endswith(f"/api/v1/public/stories/{newer.public_id}/")
    assert item["themes"] == [{"slug": "empathy", "label": empathy.labels["en"]}]
    assert item["drive"] == {"slug": newer.drive.slug, "title": newer.drive.title}
    assert item["collections"] == ["being-heard"]
    assert item["audio_url"] is None
    assert item["image_url"] is None


def test_only_published_stories_are_in_the_feed(client_for, drive):
    shown = published_story(story__drive=drive)
    pending = published_story(story__drive=drive)
    pending.story.status = StoryStatus.APPROVED
    pending.story.save()
    StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    assert ids(client_for().get(FEED)) == [shown.public_id]


def test_a_withdrawn_story_leaves_the_feed_and_answers_as_if_it_never_was(client_for):
    """No 410: which stories were withdrawn, and when, is nobody's business."""
    kept = published_story()
    withdrawn = published_story()
    assert consent.withdraw(withdrawn.story, actor_label="receipt holder")
    assert ids(client_for().get(FEED)) == [kept.public_id]
    response = client_for().get(f"/api/v1/public/stories/{withdrawn.public_id}/")
    never = client_for().get(f"/api/v1/public/stories/{new_public_id()}/")
    assert response.status_code == never.status_code == 404
    assert response.content == never.content
    by_number = client_for().get(f"/api/v1/public/stories/{withdrawn.story_id}/")
    assert by_number.status_code == 404
    assert by_number.content == never.content


def test_public_ids_are_random_and_old_numeric_urls_redirect_while_public(client_for):
    publication = published_story()
    assert not publication.public_id.isdigit()
    assert len(publication.public_id) == 16
    assert publication.public_id == publication.story.public_id
    moved = client_for().get(f"/api/v1/public/stories/{publication.story_id}/?lang=fi")
    assert moved.status_code == 301
    assert moved["Location"] == f"/api/v1/public/stories/{publication.public_id}/?lang=fi"
    (item,) = client_for().get(FEED).json()["results"]
    assert item["id"] == publication.public_id
    assert item["url"].endswith(f"/{publication.public_id}/")


def test_a_withdrawn_story_is_gone_even_before_its_public_copy_is_deleted(client_for):
    publication = published_story()
    publication.story.status = StoryStatus.WITHDRAWN
    publication.story.save()
    assert ids(client_for().get(FEED)) == []
    assert client_for().get(f"/api/v1/public/stories/{publication.public_id}/").status_code == 404


def test_a_published_story_page(client_for):
    publication = published_story(title="The library bus", language="en")
    response = client_for().get(f"/api/v1/public/stories/{publication.public_id}/")
    assert response.status_code == 200
    assert response.json()["title"] == "The library bus"
    assert response.json()["id"] == publication.public_id


def test_a_story_not_published_is_not_found(client_for, drive):
    in_review = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW, title="Secret draft")
    response = client_for().get(f"/api/v1/public/stories/{in_review.public_id}/")
    assert response.status_code == 404
    assert "Secret draft" not in response.content.decode()
    assert client_for().get(f"/api/v1/public/stories/{in_review.pk + 1000}/").status_code == 404


def test_public_surfaces_are_read_only(client_for, published_collection):
    publication = published_story()
    client = client_for()
    for url in (
        FEED,
        f"/api/v1/public/stories/{publication.public_id}/",
        "/api/v1/public/collections/being-heard/",
    ):
        assert client.post(url, {}, format="json").status_code == 405
        assert client.delete(url).status_code == 405
        assert client.head(url).status_code == 200


@pytest.mark.parametrize(
    ("query", "header", "language"), [("?lang=fi", "", "fi"), ("", "sv", "sv")]
)
def test_theme_labels_speak_the_readers_language(client_for, db, query, header, language):
    empathy = Theme.objects.get(slug="empathy")
    published_story(themes=[empathy])
    response = client_for().get(f"{FEED}{query}", HTTP_ACCEPT_LANGUAGE=header)
    assert response.json()["results"][0]["themes"][0]["label"] == empathy.labels[language]


def test_public_media_is_linked_by_its_public_url(client_for):
    publication = published_story(kind="audio", duration=12.5)
    publication.audio.save("voice.mp3", ContentFile(b"ID3 not really audio"))
    try:
        item = client_for().get(FEED).json()["results"][0]
        assert item["audio_url"].startswith("http://testserver/media/public/stories/")
        assert item["audio_url"].endswith(".mp3")
        assert item["duration"] == 12.5
        assert item["image_url"] is None
    finally:
        publication.audio.delete(save=False)


# --- Filters -----------------------------------------------------------------------


def test_filter_by_theme_drive_and_language(client_for, db):
    power = Theme.objects.get(slug="power")
    library = DriveFactory(slug="library-week")
    by_theme = published_story(themes=[power])
    by_drive = published_story(story__drive=library)
    in_finnish = published_story(language="fi")
    client = client_for()
    assert ids(client.get(FEED, {"theme": "power"})) == [by_theme.public_id]
    assert ids(client.get(FEED, {"drive": "library-week"})) == [by_drive.public_id]
    assert ids(client.get(FEED, {"language": "fi"})) == [in_finnish.public_id]
    assert ids(client.get(FEED, {"theme": "no-such-theme"})) == []


def test_filter_by_collection_only_for_published_collections(client_for, published_collection):
    draft = CollectionFactory(slug="draft-collection", published_at=None)
    in_both = published_story(collections=(published_collection, draft))
    published_story()
    client = client_for()
    assert ids(client.get(FEED, {"collection": "being-heard"})) == [in_both.public_id]
    assert ids(client.get(FEED, {"collection": "draft-collection"})) == []
    # A story's list of collections does not reveal unpublished ones either.
    assert client.get(FEED).json()["results"][-1]["collections"] == ["being-heard"]


def test_filter_since(client_for, db):
    recent = published_story(published_at=ago(hours=2))
    published_story(published_at=ago(days=10))
    since = ago(days=1).isoformat()
    assert ids(client_for().get(FEED, {"since": since})) == [recent.public_id]
    a_date_alone = client_for().get(FEED, {"since": ago(days=30).strftime("%Y-%m-%d")})
    assert a_date_alone.status_code == 200
    assert len(ids(a_date_alone)) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"since": "last tuesday"},
        {"since": "2024-13-45T99:00"},
        {"language": "finnish"},
        {"theme": "not a slug!"},
        {"q": "x" * 500},
    ],
)
def test_bad_filters_are_a_clear_400(client_for, db, params):
    response = client_for().get(FEED, params)
    assert response.status_code == 400
    field = next(iter(params))
    assert response.json()[field]


def test_search_in_the_feed(client_for, db):
    bus = published_story(title="The library bus", text="It stops by our village.")
    published_story(title="Health centre", text="The nurse listened.")
    assert ids(client_for().get(FEED, {"q": "library"})) == [bus.public_id]


# --- Pagination ----------------------------------------------------------------------


def test_cursor_pagination_walks_every_story_once(client_for, db):
    same_moment = ago(hours=3)
    stories = [published_story(published_at=same_moment) for _ in range(4)]
    stories += [published_story(published_at=ago(hours=hour)) for hour in (1, 2, 5)]
    client = client_for()
    seen: list[int] = []
    url = f"{FEED}?page_size=3"
    pages = 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    expected = sorted(stories, key=lambda p: (p.published_at, p.pk), reverse=True)
    assert seen == [p.public_id for p in expected]


def test_page_size_is_capped(client_for, db):
    for _ in range(3):
        published_story()
    from stories.api.public import FeedPagination

    FeedPagination.max_page_size, saved = 2, FeedPagination.max_page_size
    try:
        assert len(client_for().get(FEED, {"page_size": 1000}).json()["results"]) == 2
    finally:
        FeedPagination.max_page_size = saved


def test_a_broken_cursor_is_a_400(client_for, db):
    response = client_for().get(FEED, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()


# --- Collections ---------------------------------------------------------------------


def test_a_published_collection_lists_its_published_stories_in_order(
    client_for, published_collection
):
    first = published_story(title="First", collections=(published_collection,))
    withdrawn = published_story(title="Withdrawn", collections=(published_collection,))
    pending = published_story(title="Pending", collections=(published_collection,))
    second = published_story(title="Second", collections=(published_collection,))
    published_story(title="Elsewhere")
    consent.withdraw(withdrawn.story, actor_label="receipt holder")
    pending.story.status = StoryStatus.APPROVED
    pending.story.save()
    published_collection.themes.set([Theme.objects.get(slug="power")])
    response = client_for().get("/api/v1/public/collections/being-heard/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == published_collection.title
    assert [s["id"] for s in body["stories"]] == [first.public_id, second.public_id]
    assert body["themes"][0]["slug"] == "power"
    assert body["exports"]["csv"].endswith("/api/v1/public/collections/being-heard/export.csv")


def test_an_unpublished_collection_is_not_found(client_for, db):
    draft = CollectionFactory(slug="draft-collection", published_at=None)
    published_story(collections=(draft,))
    assert client_for().get("/api/v1/public/collections/draft-collection/").status_code == 404
    assert client_for().get("/api/v1/public/collections/no-such-thing/").status_code == 404


# --- Query counts --------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# A handful per request, whatever the page holds: more would mean one per story crept in.
FEW = 6


@pytest.fixture
def many_stories(db):
    """25 stories with three themes each, in two published collections; the first theme
    has 25 stories and the second only 3 (for feeds, whose size is fixed)."""
    themes = list(Theme.objects.order_by("position")[:3])
    rare = Theme.objects.order_by("position")[3]
    small = CollectionFactory(slug="small", published_at=ago(days=1))
    large = CollectionFactory(slug="large", published_at=ago(days=1))
    for index in range(25):
        collections = (small, large) if index < 5 else (large,)
        published_story(
            language="en",
            title=f"Library visit {index}",
            text="The library bus stops by our village every week.",
            themes=[*themes, rare] if index < 3 else themes,
            collections=collections,
        )
    return themes[0].slug, rare.slug


@pytest.mark.parametrize(
    "query",
    [
        "",
        "theme={theme}&",
        "q=library&",
        "q=library+bus&theme={theme}&",
        "collection=large&",
        "language=en&",
    ],
    ids=["feed", "theme", "search", "search-in-theme", "collection", "language"],
)
def test_feed_queries_do_not_grow_with_the_page(client_for, many_stories, query):
    theme, _ = many_stories
    client = client_for()
    url = f"{FEED}?{query.format(theme=theme)}page_size="
    assert len(client.get(f"{url}25").json()["results"]) == 25
    small = _queries(client, f"{url}5")
    assert small == _queries(client, f"{url}25")
    assert small <= FEW
    # The next page (with a cursor) costs the same.
    next_page = client.get(f"{url}5").json()["next"]
    assert _queries(client, next_page) == small


def test_collection_queries_do_not_grow_with_its_size(client_for, many_stories):
    for collection in ("small", "large"):
        CollectionFactory._meta.model.objects.get(slug=collection).themes.set(
            Theme.objects.all()[:3]
        )
    client = client_for()
    assert len(client.get("/api/v1/public/collections/large/").json()["stories"]) == 25
    small = _queries(client, "/api/v1/public/collections/small/")
    assert small == _queries(client, "/api/v1/public/collections/large/")
    assert small <= FEW


@pytest.mark.parametrize("fmt", ["json", "atom", "rss"])
def test_theme_feed_queries_do_not_grow_with_the_feed(client_for, many_stories, fmt):
    busy, rare = many_stories
    client = client_for()
    assert len(client.get(f"/feeds/themes/{busy}.json").json()["items"]) == 25
    assert len(client.get(f"/feeds/themes/{rare}.json").json()["items"]) == 3
    few = _queries(client, f"/feeds/themes/{rare}.{fmt}")
    assert few == _queries(client, f"/feeds/themes/{busy}.{fmt}")
    assert few <= FEW
    assert _queries(client, f"/feeds/collections/small.{fmt}") == _queries(
        client, f"/feeds/collections/large.{fmt}"
    )


def test_story_page_queries_do_not_grow_with_its_themes_and_collections(client_for, many_stories):
    plain = published_story()
    tagged = published_story(
        themes=list(Theme.objects.all()[:6]),
        collections=tuple(CollectionFactory(published_at=ago(days=1)) for _ in range(4)),
    )
    client = client_for()
    body = client.get(f"/api/v1/public/stories/{tagged.public_id}/").json()
    assert len(body["themes"]) == 6
    assert len(body["collections"]) == 4
    few = _queries(client, f"/api/v1/public/stories/{plain.public_id}/")
    assert few == _queries(client, f"/api/v1/public/stories/{tagged.public_id}/")
    assert few <= FEW
