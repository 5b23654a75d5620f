"""The web UI's pages with Django's test client: status codes, escaping and permissions."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from frontend.views.reporter import SCOPE_HELP
from stories.domain import consent, receipts
from stories.enums import AssetRole, ConsentScope, StoryStatus, ThemeSource
from stories.models import ConsentRecord, MediaAsset, Story, StoryTheme, Theme
from tests.factories import (
    CollectionFactory,
    StoryFactory,
    published_story,
    story_with_receipt,
    transcript_for,
)
from tests.frontend.conftest import wav_bytes

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


def a_theme() -> Theme:
    """A theme (the shipped taxonomy may have been flushed by a transactional test)."""
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard", defaults={"constellation": "power", "labels": {"en": "Being heard"}}
    )
    return theme


def test_home_lists_open_drives(client, drive):
    response = client.get("/")
    assert response.status_code == 200
    assert drive.title in response.content.decode()


def test_drive_page_shows_form_consent_text_version_and_qr(client, drive):
    response = client.get(f"/d/{drive.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="consent_store"' in body
    assert "We keep your story safe." in body
    assert "version 1" in body
    assert "<svg" in body  # the facilitator's QR code of the drive link
    assert 'name="themes"' in body


def test_drive_page_in_finnish_by_lang_parameter_and_cookie(client, drive):
    response = client.get(f"/d/{drive.slug}/?lang=fi")
    body = response.content.decode()
    assert '<html lang="fi">' in body
    assert "Säilytämme tarinasi." in body  # the drive's Finnish consent text
    assert response.cookies["django_language"].value == "fi"
    assert "Lähetä tarinani" in body  # "Send my story", from the compiled catalogue
    assert "Säilyttäkää tarinani" in body  # the store scope in plain Finnish
    again = client.get(f"/d/{drive.slug}/")
    assert '<html lang="fi">' in again.content.decode()


def test_drive_prompts_in_reporters_language(client, drive):
    drive.prompts = [{"en": "What happened?", "sv": "Vad hände?"}]
    drive.save()
    assert "Vad hände?" in client.get(f"/d/{drive.slug}/?lang=sv").content.decode()
    assert "What happened?" in client.get(f"/d/{drive.slug}/?lang=de").content.decode()


def test_no_js_text_submission_gives_a_receipt(client, drive):
    theme = a_theme()
    response = client.post(
        f"/d/{drive.slug}/",
        {
            "kind": "text",
            "title": "Bus",
            "text": "The bus never came.",
            "language": "en",
            "consent_store": "on",
            "consent_publish_text": "on",
            "themes": [theme.slug] if theme else [],
        },
    )
    # POST/redirect/GET: the receipt is shown by the GET, never in the URL.
    assert response.status_code == 303
    assert response["Location"] == f"/d/{drive.slug}/sent/"
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    receipt = response.context["receipt"]
    story = receipts.find_story(receipt)
    assert story is not None
    assert story.text == "The bus never came."
    assert story.status == StoryStatus.SUBMITTED
    record = consent.current(story)
    assert set(record.scopes) == {"store", "publish_text"}
    assert record.channel == "web"
    assert record.consent_version == 1
    assert "-".join(response.context["receipt_groups"]) == receipt
    assert response.context["receipt_groups"][0] in response.content.decode()
    # A reload shows the receipt no more, and sends nothing again.
    again = client.get(f"/d/{drive.slug}/sent/")
    assert again.status_code == 200
    assert response.context["receipt_groups"][0] not in again.content.decode()
    assert Story.objects.count() == 1
    if theme:
        assert story.theme_tags.filter(theme=theme, source="reporter").exists()


def test_no_js_submission_without_store_consent_is_refused(client, drive):
    response = client.post(
        f"/d/{drive.slug}/", {"kind": "text", "text": "Hello", "consent_publish_text": "on"}
    )
    assert response.status_code == 400
    assert "store" in response.content.decode()
    assert not Story.objects.exists()


def test_no_js_audio_submission_with_a_file(client, drive):
    upload = ContentFile(wav_bytes(), name="me.wav")
    response = client.post(
        f"/d/{drive.slug}/",
        {"kind": "audio", "consent_store": "on", "files": upload},
        follow=True,
    )
    assert response.status_code == 200, response.context.get("errors")
    story = receipts.find_story(response.context["receipt"])
    assert story.assets.filter(role=AssetRole.ORIGINAL).count() == 1


def test_closed_drive_refuses_posts(client, drive):
    drive.is_open = False
    drive.save()
    response = client.post(f"/d/{drive.slug}/", {"kind": "text", "text": "x"})
    assert response.status_code == 404


def test_manifest_and_service_worker_at_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.json()["scope"] == "/"
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"


def test_receipt_qr_is_svg_for_receipts_only(client):
    receipt, _ = receipts.issue()
    assert client.post("/receipt-qr/", {"receipt": "nope"}).status_code == 400
    response = client.post("/receipt-qr/", {"receipt": receipt})
    assert response.status_code == 200
    assert response.content.startswith(b"<svg")


def test_status_page_lookup_shows_status_and_reason(client):
    story, receipt = story_with_receipt(status=StoryStatus.REJECTED, status_reason="Off topic")
    assert client.get("/r/").status_code == 200
    response = client.post("/r/", {"receipt": receipt, "step": "lookup"})
    body = response.content.decode()
    assert "Not accepted." in body
    assert "Off topic" in body
    assert story.text not in body  # the status page shows status, never the story itself


def test_status_page_unknown_receipt(client):
    response = client.post("/r/", {"receipt": "0000-0000-0000-0000-0000-0000-0000-0000"})
    assert response.status_code == 404


def test_withdraw_needs_confirmation(client):
    story, receipt = story_with_receipt()
    asking = client.post("/r/", {"receipt": receipt, "step": "withdraw"})
    assert "Yes, withdraw my story" in asking.content.decode()
    story.refresh_from_db()
    assert story.status == StoryStatus.SUBMITTED
    client.post("/r/", {"receipt": receipt, "step": "withdraw-confirmed"})
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN


def test_narrow_consent_with_confirmation(client):
    story, receipt = story_with_receipt(
        consent={"store": True, "publish_text": True, "research": True}
    )
    keep = ["store", "publish_text"]
    asking = client.post("/r/", {"receipt": receipt, "step": "narrow", "keep": keep})
    assert "Use for research" in asking.content.decode()
    assert set(consent.current(story).scopes) == {"store", "publish_text", "research"}
    client.post("/r/", {"receipt": receipt, "step": "narrow-confirmed", "keep": keep})
    assert set(consent.current(story).scopes) == {"store", "publish_text"}


@pytest.mark.parametrize("language", ["en", "fi", "sv", "de"])
def test_narrowing_lists_what_is_taken_back_only_under_take_back(client, language):
    _, receipt = story_with_receipt(consent={"store": True, "publish_text": True, "research": True})
    asking = client.post(
        "/r/",
        {"receipt": receipt, "step": "narrow", "keep": ["store", "publish_text"]},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = asking.content.decode()
    with translation.override(language):
        kept = [
            gettext(SCOPE_HELP[scope][0])
            for scope in (ConsentScope.STORE, ConsentScope.PUBLISH_TEXT)
        ]
        taken_back = gettext(SCOPE_HELP[ConsentScope.RESEARCH][0])
        keep_heading = gettext("You take back:")
    keep_part, back_part = page.split(keep_heading)
    assert all(title in keep_part for title in kept)
    assert taken_back not in keep_part
    assert taken_back in back_part


def test_narrowing_never_widens(client):
    story, receipt = story_with_receipt(consent={"store": True})
    client.post(
        "/r/", {"receipt": receipt, "step": "narrow-confirmed", "keep": ["store", "research"]}
    )
    assert consent.current(story).scopes == [ConsentScope.STORE]


# --- Public story browser -------------------------------------------------------------


def test_story_list_escapes_titles_and_filters(client):
    published_story(story__title=XSS, story__language="fi")
    published_story(story__title="Kirjasto", story__language="sv")
    response = client.get("/stories/")
    body = response.content.decode()
    assert response.status_code == 200
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    only_sv = client.get("/stories/?language=sv").content.decode()
    assert "Kirjasto" in only_sv
    assert "&lt;script&gt;" not in only_sv
    assert client.get("/stories/?language=../../x&theme=<b>").status_code == 200


def test_story_list_search(client):
    published_story(story__title="Library", story__text="The library bus came.")
    published_story(story__title="Clinic", story__text="The clinic was closed.")
    body = client.get("/stories/?q=clinic").content.decode()
    assert "Clinic" in body
    assert "Library" not in body


def test_story_page_reads_the_public_copy_only(client):
    publication = published_story(story__title="Private title", story__text="Anna said hello")
    publication.title = "Public title"
    publication.text = "[Person 1] said hello"
    publication.save()
    body = client.get(f"/stories/{publication.public_id}/").content.decode()
    assert "Public title" in body
    assert "[Person 1] said hello" in body
    assert "Anna" not in body
    assert "Private title" not in body


def test_story_page_escapes_text(client):
    publication = published_story(story__title=XSS, story__text=XSS)
    body = client.get(f"/stories/{publication.public_id}/").content.decode()
    assert XSS not in body


def test_withdrawn_story_page_is_the_same_404_as_an_unknown_one(client):
    story, _ = story_with_receipt(status=StoryStatus.WITHDRAWN)
    withdrawn = client.get(f"/stories/{story.public_id}/")
    unknown = client.get("/stories/zzzzzzzzzzzzzzzz/")
    assert withdrawn.status_code == unknown.status_code == 404
    assert client.get(f"/stories/{story.pk}/").status_code == 404


def test_old_numeric_story_urls_redirect_to_the_public_id_while_public(client):
    publication = published_story(story__title="The bus")
    moved = client.get(f"/stories/{publication.story_id}/")
    assert moved.status_code == 301
    assert moved["Location"] == f"/stories/{publication.public_id}/"
    assert client.get(moved["Location"]).status_code == 200
    listed = client.get("/stories/").content.decode()
    assert f"/stories/{publication.public_id}/" in listed
    assert f"/stories/{publication.story_id}/" not in listed


def test_unpublished_story_page_is_404(client):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    assert client.get(f"/stories/{story.public_id}/").status_code == 404


def test_collection_page_and_theme_page_link_feeds(client):
    collection = CollectionFactory(title=XSS)
    from django.utils import timezone

    collection.published_at = timezone.now()
    collection.save()
    theme = a_theme()
    publication = published_story(collections=(collection,), themes=[theme])
    body = client.get(f"/collections/{collection.slug}/").content.decode()
    assert XSS not in body
    assert publication.title in body
    assert f"/feeds/collections/{collection.slug}.atom" in body
    theme_page = client.get(f"/themes/{theme.slug}/").content.decode()
    assert f"/feeds/themes/{theme.slug}.atom" in theme_page
    assert f"/feeds/themes/{theme.slug}.rss" in theme_page
    assert f"/feeds/themes/{theme.slug}.json" in theme_page
    assert client.get("/themes/").status_code == 200
    assert client.get("/collections/").status_code == 200


def test_theme_overview_counts_published_stories(client):
    theme = a_theme()
    published_story(themes=[theme])
    published_story(themes=[theme])
    StoryFactory(status=StoryStatus.NEEDS_REVIEW).theme_tags.create(
        theme=theme, source="curator", state="confirmed"
    )  # not published: not counted
    assert "2 stories" in client.get("/themes/").content.decode()
    assert "2 tarinaa" in client.get("/themes/?lang=fi").content.decode()


def test_unpublished_collection_is_404(client):
    collection = CollectionFactory()
    assert client.get(f"/collections/{collection.slug}/").status_code == 404


# --- Curator console ------------------------------------------------------------------


CONSOLE_PAGES = ["/console/", "/console/collections/", "/console/dashboard/"]


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_console_needs_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_reporters_cannot_open_the_console(client, reporter, url):
    client.force_login(reporter)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_curators_open_the_console(client, curator, url):
    StoryFactory(status=StoryStatus.NEEDS_REVIEW, title=XSS)
    client.force_login(curator)
    response = client.get(url)
    assert response.status_code == 200
    assert XSS not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_console_story_page_with_words_and_personal_data(client, curator):
    from stories.models import Redaction

    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, text=f"Anna said {XSS}")
    transcript_for(story, "hello there Anna")
    Redaction.objects.create(
        story=story, field="text", start=0, end=4, text="Anna", type="person", source="detector"
    )
    client.force_login(curator)
    response = client.get(f"/console/stories/{story.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert XSS not in body
    assert '<mark class="pd" title="name">Anna</mark>' in body
    assert 'data-start="0.500"' in body  # "there"
    assert f"/api/v1/stories/{story.pk}/redactions/" in body


def test_console_says_when_a_theme_was_suggested_by_meaning_not_by_the_story_s_words(
    client, curator
):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, text="The letter said no.")
    example = {
        "text": "We waited months and nobody could say who decides.",
        "example": "transparency/en/3",
        "source": "taxonomy",
        "similarity": 0.91,
    }
    StoryTheme.objects.create(
        story=story,
        theme=Theme.objects.get(slug="transparency"),
        source=ThemeSource.MACHINE,
        score=0.6,
        evidence=[example],
    )
    client.force_login(curator)
    body = client.get(f"/console/stories/{story.pk}/").content.decode()
    assert "Close in meaning to this example of the theme: “We waited months" in body


def test_reporter_cannot_open_console_story_or_media(client, reporter):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, reporter=reporter)
    client.force_login(reporter)
    assert client.get(f"/console/stories/{story.pk}/").status_code == 403
    assert client.get(f"/console/stories/{story.pk}/media").status_code == 403


def normalised_recording(story: Story, seconds: float = 2.0) -> MediaAsset:
    return MediaAsset.objects.create(
        story=story,
        role=AssetRole.NORMALISED,
        variant="audio16k",
        mime_type="audio/wav",
        file=ContentFile(wav_bytes(seconds), name="n.wav"),
    )


def test_curator_streams_the_normalised_recording_privately(client, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    asset = normalised_recording(story)
    client.force_login(curator)
    response = client.get(f"/console/stories/{story.pk}/media")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == asset.file.open("rb").read()
    ranged = client.get(f"/console/stories/{story.pk}/media", HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206
    assert ranged["Content-Range"].startswith("bytes 0-9/")
    assert len(b"".join(ranged.streaming_content)) == 10


def test_media_view_404_when_the_recording_file_is_gone(client, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    asset = normalised_recording(story)
    asset.file.storage.delete(asset.file.name)
    client.force_login(curator)
    assert client.get(f"/console/stories/{story.pk}/media").status_code == 404


def test_media_view_404_without_recording(client, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    client.force_login(curator)
    assert client.get(f"/console/stories/{story.pk}/media").status_code == 404


def test_dashboard_suppresses_small_counts(client, curator):
    from tests.factories import DriveFactory

    big = DriveFactory(slug="big")
    small = DriveFactory(slug="small")
    for _ in range(6):
        StoryFactory(drive=big, language="fi")
    StoryFactory(drive=small, language="fi")
    client.force_login(curator)
    response = client.get("/console/dashboard/")
    rows = {row["drive"]: row["cells"] for row in response.context["drive_rows"]}
    # The factory's drives expect Finnish and Swedish; no one has told a story in Swedish.
    assert response.context["drive_columns"] == ["fi", "sv"]
    assert rows["big"] == [
        {"text": "5", "unheard": False},  # 6, rounded to a base of 5
        {"text": "0", "unheard": True},
    ]
    assert rows["small"][0] == {"text": "< 5", "unheard": False}
    assert "not heard" in response.content.decode()


def shown_range(text: str) -> tuple[int, int]:
    """The true values a figure on the dashboard may stand for."""
    if text == "0":
        return 0, 0
    if text == "< 5":
        return 1, 4
    value = int(text)
    assert value % 5 == 0, f"{text} is neither suppressed nor rounded"
    return value - 2, value + 2


def test_no_figure_on_the_dashboard_gives_a_hidden_count_away(client, curator):
    """A language's total minus the drive cells beside a hidden one must not pin it down."""
    from tests.factories import DriveFactory

    big, small = DriveFactory(slug="big"), DriveFactory(slug="small")
    for _ in range(6):
        StoryFactory(drive=big, language="fi")
    for _ in range(2):
        StoryFactory(drive=small, language="fi")  # 2: shown as "< 5"
    client.force_login(curator)
    context = client.get("/console/dashboard/").context
    for chart in ("theme_bars", "language_bars", "week_bars", "status_bars"):
        for bar in context[chart]:
            shown_range(bar["n"])  # every bar suppressed or rounded, none exact
    total = {bar["label"]: shown_range(bar["n"]) for bar in context["language_bars"]}["fi"]
    cells = {row["drive"]: shown_range(row["cells"][0]["text"]) for row in context["drive_rows"]}
    others_low, others_high = cells["big"]
    # What the hidden cell could be, given the total and the other cell (interval arithmetic).
    low, high = max(1, total[0] - others_high), min(4, total[1] - others_low)
    assert high > low, "the hidden count of the small drive is given away"
    all_stories = [shown_range(bar["n"]) for bar in context["status_bars"]]
    low = max(1, sum(r[0] for r in all_stories) - others_high)
    assert min(4, sum(r[1] for r in all_stories) - others_low) > low


def test_login_page_and_redirect_for_curators(client, curator):
    assert client.get("/login/").status_code == 200
    response = client.post(
        "/login/", {"username": "curator", "password": "a-long-test-password", "next": "/console/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_consent_record_channel_is_web_for_form(client, drive):
    client.post(f"/d/{drive.slug}/", {"kind": "text", "text": "x", "consent_store": "on"})
    assert ConsentRecord.objects.get().channel == "web"


def test_urls_reverse():
    assert reverse("frontend:drive", args=["x"]) == "/d/x/"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("sv", "Skicka min berättelse"), ("de", "Meine Geschichte senden"), ("en", "Send my story")],
)
def test_drive_page_in_each_language(client, drive, lang, words):
    assert words in client.get(f"/d/{drive.slug}/?lang={lang}").content.decode()


@pytest.mark.parametrize("lang", ["fi", "sv", "de"])
def test_every_catalogue_is_fully_translated(lang):
    import polib

    from frontend.management.commands.compile_translations import project_locale_dirs

    folders = project_locale_dirs()
    assert {folder.parent.name for folder in folders} >= {"frontend", "stories"}
    for folder in folders:
        catalogue = polib.pofile(str(folder / lang / "LC_MESSAGES" / "django.po"))
        missing = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
        assert missing == [], folder


def test_console_in_finnish(client, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, kind="audio")
    client.force_login(curator)
    queue = client.get("/console/?lang=fi").content.decode()
    assert "Tarkastusjono" in queue  # "Review queue"
    assert "Odottaa tarkastusta: 1" in queue  # the status count, in words
    page = client.get(f"/console/stories/{story.pk}/").content.decode()  # the cookie sticks
    assert '<html lang="fi">' in page
    assert "Hyväksy" in page  # "Approve"
    assert "Ääni · EN" in page  # the kind, translated
    assert 'data-saved="Tallennettu."' in page  # the script's words
    dashboard = client.get("/console/dashboard/").content.decode()
    assert "Käsittelyn tila" in dashboard  # "Pipeline status"


def test_compile_translations_command(tmp_path):
    import shutil

    from django.core.management import call_command

    from frontend.management.commands.compile_translations import LOCALE_DIR

    shutil.copytree(LOCALE_DIR, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    call_command("compile_translations", locale_dir=str(tmp_path / "locale"), verbosity=0)
    assert (tmp_path / "locale/fi/LC_MESSAGES/django.mo").stat().st_size > 0


# --- Bad input: a clear answer, never a server error --------------------------------

HUGE = "9" * 25  # past any 64-bit id
NUL = "\x00"

BAD_GETS = [
    (f"/stories/{HUGE}/", 404),
    ("/stories/?q=%00", 200),
    ("/stories/?theme=%00&drive=%00&language=%00", 200),
    ("/stories/?q=" + "x" * 5000, 200),
    ("/stories/?q=" + "%26%7C%21%28%29%3A%2A%27" * 40, 200),  # tsquery operators
    ("/stories/?page=abc", 200),
    (f"/stories/?page={HUGE}", 200),
    ("/themes/nope/", 404),
    ("/themes/being-heard/?page=-1", 200),
    ("/collections/nope/", 404),
    ("/d/nope/", 404),
    ("/?lang=%00", 200),
    ("/login/?next=%00", 200),
]


@pytest.mark.parametrize(("url", "expected"), BAD_GETS)
def test_bad_query_gets_a_clear_answer(client, url, expected):
    a_theme()
    assert client.get(url).status_code == expected


BAD_POSTS = [
    ({"kind": "bogus", "text": "hello", "consent_store": "on"}, 400),
    ({"kind": "text", "text": f"hi{NUL}", "consent_store": "on"}, 400),
    ({"kind": "text", "text": "hi", "language": NUL * 20, "consent_store": "on"}, 400),
    ({"kind": "text", "text": "hi", "title": "x" * 5000, "consent_store": "on"}, 400),
    ({"kind": "text", "text": "hi", "consent_store": "on", "themes": [NUL, "nope"]}, 400),
    ({"kind": "audio", "consent_store": "on", "files": "not a file"}, 400),
    ({"kind": "photo", "consent_store": "on"}, 400),
]


@pytest.mark.parametrize(("data", "expected"), BAD_POSTS)
def test_bad_story_form_is_a_400_with_the_form(client, drive, data, expected):
    response = client.post(f"/d/{drive.slug}/", data)
    assert response.status_code == expected
    assert 'id="form-errors"' in response.content.decode()
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "expected"),
    [
        ("/r/", {"receipt": NUL}, 404),
        ("/r/", {"receipt": "x" * 10000, "step": "withdraw"}, 404),
        ("/receipt-qr/", {"receipt": NUL}, 400),
        ("/login/", {"username": NUL, "password": NUL}, 200),  # the form, with its error
    ],
)
def test_bad_posts_elsewhere(client, url, data, expected):
    assert client.post(url, data).status_code == expected


def test_bad_console_input_never_fails(client, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    normalised_recording(story)
    client.force_login(curator)
    assert client.get("/console/?drive=%00&theme=%00&language=%00").status_code == 200
    assert client.get("/console/?language=" + "x" * 3000).status_code == 200
    assert client.get(f"/console/stories/{HUGE}/").status_code == 404
    assert client.get(f"/console/stories/{HUGE}/media").status_code == 404
    media = f"/console/stories/{story.pk}/media"
    for header, expected in [
        (f"bytes={HUGE}-", 416),
        ("bytes=5-2", 416),
        ("bytes=-0", 416),
        ("bytes=abc", 200),  # not a range we understand: the whole file
        (f"bytes=0-{HUGE}", 206),
        (f"bytes=-{HUGE}", 206),
    ]:
        assert client.get(media, HTTP_RANGE=header).status_code == expected, header


def test_video_review_has_captions_from_the_transcript(client, curator, reporter):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, kind="video")
    transcript_for(story, "the <b>bus</b> --> never came")
    story.assets.update(variant="video", mime_type="video/mp4")  # a playable video
    client.force_login(curator)
    page = client.get(f"/console/stories/{story.pk}/").content.decode()
    assert f'<track kind="captions" src="/console/stories/{story.pk}/captions.vtt"' in page
    captions = client.get(f"/console/stories/{story.pk}/captions.vtt")
    assert captions["Content-Type"].startswith("text/vtt")
    assert "no-store" in captions["Cache-Control"]
    assert captions.content.decode() == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nthe &lt;b>bus&lt;/b> → never came\n"
    )
    client.force_login(reporter)
    assert client.get(f"/console/stories/{story.pk}/captions.vtt").status_code == 403
