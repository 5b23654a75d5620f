"""Insights reports: topics with the stories' own published words, never a hidden value."""

from __future__ import annotations

import datetime
import http.server
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from stories.domain import consent, insights, publication, redactions
from stories.enums import StoryStatus
from stories.models import Drive, PublishedStory, Story
from tests.factories import StoryFactory

# The curator hides the nickname of a building the detector does not know; the name and
# the address are the detector's.
HIDDEN = "Kuusikko-talo"
PLANTED = ["Marjatta Kivelä", "marjatta.kivela@example.fi", HIDDEN]
QUEUE = [
    "I waited three hours in the queue at the health centre next to Kuusikko-talo. "
    "Marjatta Kivelä (marjatta.kivela@example.fi) was in the queue too.",
    "The queue at the health centre was so long that my mother gave up waiting.",
    "We queued at the health centre all morning, and the waiting room was full.",
]
BUS = [
    "The evening bus to the library was cut, so teenagers have nowhere to go.",
    "Since the evening bus stopped, my son cannot get to the library after school.",
    "Without the evening bus the library is out of reach for the whole village.",
]


def publish(drive, text: str, months_ago: int, language: str = "en") -> Story:
    story = StoryFactory(
        drive=drive,
        status=StoryStatus.APPROVED,
        title="",
        text=text,
        language=language,
        consent={"store": True, "publish_text": True},
    )
    redactions.detect(story)
    if HIDDEN in text:
        start = text.index(HIDDEN)
        redactions.add(story, "text", start, start + len(HIDDEN), "address", actor=None)
    publication.publish(story)
    when = timezone.now() - datetime.timedelta(days=31 * months_ago)
    PublishedStory.objects.filter(story=story).update(published_at=when)
    return story


@pytest.fixture
def drive(db):
    """The demo drive ``make run`` loads."""
    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    return Drive.objects.get(slug="demo")


@pytest.fixture
def told(drive):
    queue = [publish(drive, text, months_ago=3) for text in QUEUE]
    bus = [publish(drive, text, months_ago=0) for text in BUS]
    return queue, bus


def report_of(client, curator, drive, fmt: str = "") -> str:
    client.force_login(curator)
    url = f"/console/insights/report.{fmt}" if fmt else "/console/insights/"
    response = client.get(url, {"scope": "drive", "slug": drive.slug})
    assert response.status_code == 200
    if fmt == "pdf":
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


def test_the_report_lists_topics_with_the_quotes_that_carry_them(client, curator, drive, told):
    page = report_of(client, curator, drive)
    assert "bus · evening · library" in page
    assert "queue · centre · health" in page
    # A quote is a published sentence, linked to its public page.
    queue, _ = told
    public_ids = [PublishedStory.objects.get(story=s).public_id for s in queue]
    assert any(f"/stories/{pid}/" in page for pid in public_ids)
    assert "Grew in the later months" in page


# One thing told in three languages; and a story about something else.
DOCTOR = {
    "en": "I waited four months for an appointment with a doctor at the health centre. "
    "Nobody called me back.",
    "sv": "Jag fick vänta i fyra månader på en tid hos läkaren på vårdcentralen. "
    "Ingen ringde tillbaka.",
    "fi": "Odotin lääkärin vastaanottoaikaa terveyskeskukseen neljä kuukautta. "
    "Kukaan ei soittanut takaisin.",
}
PARK = "Im Park stehen jetzt neue Bänke, und die Kinder spielen dort jeden Nachmittag."


def test_one_topic_told_in_three_languages_is_one_topic_quoted_in_several(drive):
    told_in = {lang: publish(drive, text, 1, lang) for lang, text in DOCTOR.items()}
    publish(drive, BUS[0], 0)
    publish(
        drive, "Kvällsbussen till biblioteket drogs in, och ungdomarna har ingenstans.", 0, "sv"
    )
    park = publish(drive, PARK, 1, "de")
    found = insights.report(insights.scope("drive", drive.slug))
    ids = {lang: story.publication.public_id for lang, story in told_in.items()}
    [doctor] = [t for t in found.topics if ids["en"] in t.public_ids]
    assert set(doctor.public_ids) == set(ids.values())
    assert len({q.language for q in doctor.quotes}) > 1
    assert {q.public_id for q in doctor.quotes} <= set(ids.values())
    assert all(park.publication.public_id not in t.public_ids for t in found.topics)
    assert park.publication.public_id in {q.public_id for q in found.standing_apart}


@pytest.mark.parametrize("fmt", ["", "html", "pdf"])
def test_no_hidden_value_reaches_the_report_in_any_format(client, curator, drive, told, fmt):
    text = report_of(client, curator, drive, fmt)
    assert "health centre" in text
    for value in PLANTED:
        assert value not in text


def test_the_pdf_is_a_download_named_for_the_drive(client, curator, drive, told):
    client.force_login(curator)
    response = client.get("/console/insights/report.pdf", {"scope": "drive", "slug": drive.slug})
    assert response["Content-Type"] == "application/pdf"
    assert f"tarina-insights-drive-{drive.slug}.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_a_withdrawn_story_leaves_the_report(client, curator, drive, told):
    _, bus = told
    before = report_of(client, curator, drive)
    quoted = [s for s in bus if f"/stories/{s.publication.public_id}/" in before]
    assert quoted
    gone = quoted[0].publication.public_id
    consent.withdraw(quoted[0], actor_label="receipt holder")
    assert f"/stories/{gone}/" not in report_of(client, curator, drive)


def test_only_curators_see_insights(client, drive, told, django_user_model):
    assert client.get("/console/insights/").status_code == 302  # to the login page
    reporter = django_user_model.objects.create_user("someone", password="x")
    client.force_login(reporter)
    assert client.get("/console/insights/report.pdf?scope=drive&slug=x").status_code == 403


def test_an_unknown_scope_is_a_404_not_an_error(client, curator, db):
    client.force_login(curator)
    assert client.get("/console/insights/", {"scope": "drive", "slug": "nope"}).status_code == 404
    assert client.get("/console/insights/", {"scope": "planet", "slug": "x"}).status_code == 404
    assert client.get("/console/insights/report.exe?scope=drive&slug=x").status_code == 404


def test_the_report_speaks_the_curators_language(client, curator, drive, told):
    client.force_login(curator)
    page = client.get("/console/insights/", {"scope": "drive", "slug": drive.slug, "lang": "fi"})
    assert "Toistuvat aiheet" in page.content.decode()


class FakeChatEndpoint(http.server.BaseHTTPRequestHandler):
    """An operator's OpenAI-compatible server (an external boundary): records what it was
    sent and answers with a summary citing quotes 1 and 2, one sentence citing none, and
    one citing a quote that does not exist."""

    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeChatEndpoint.received.append(
            {"path": self.path, "body": json.loads(self.rfile.read(length))}
        )
        content = (
            "People wait for hours at the health centre [1][2]. "
            "The council should resign at once. "
            "Everyone loves the new library [99]."
        )
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_endpoint(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeChatEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeChatEndpoint.received = []
    settings.TARINA_SUMMARY_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.TARINA_SUMMARY_MODEL = "test-model"
    yield FakeChatEndpoint.received
    server.shutdown()


def test_no_summary_is_asked_for_unless_an_endpoint_is_configured(client, curator, drive, told):
    page = report_of(client, curator, drive)
    assert "machine-written" not in page


def test_a_configured_summary_is_grounded_marked_and_sent_only_anonymised_quotes(
    client, curator, drive, told, chat_endpoint
):
    page = report_of(client, curator, drive)
    assert "Summary (machine-written)" in page
    assert "test-model" in page
    assert "People wait for hours at the health centre." in page
    # A sentence citing no quote given is dropped.
    assert "resign" not in page
    assert "new library" not in page
    [sent] = chat_endpoint
    assert sent["path"] == "/v1/chat/completions"
    text = json.dumps(sent["body"], ensure_ascii=False)
    assert "health centre" in text
    for value in PLANTED:
        assert value not in text


def test_making_a_pdf_leaves_the_upload_checks_strict(client, curator, drive, told):
    """WeasyPrint lets Pillow read truncated images in its own process; never in ours,
    where the media checks must refuse a truncated upload."""
    from PIL import ImageFile

    report_of(client, curator, drive, "pdf")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
