"""A curator makes a clip in the console from a word selection; the public gets its page,
an embeddable player with oEmbed, and the collection's feeds; withdrawal takes it all
down (410). Chromium (playwright) against live_server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import jsonschema
import numpy as np
import pytest
from django.core.files.storage import storages

from media_pipeline.speech.audio import decode_audio
from stories.domain import consent
from stories.enums import Role
from stories.models import Clip, Theme
from tests.factories import UserFactory
from tests.frontend.conftest import screenshot, sign_in
from tests.frontend.test_accessibility import blocking_violations, load_axe
from tests.stories.clip_helpers import published_spoken_story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# oEmbed 1.0, section 2.3.4: what every response has, and what type "rich" adds.
OEMBED_RICH = {
    "type": "object",
    "required": ["version", "type", "html", "width", "height"],
    "properties": {
        "version": {"const": "1.0"},
        "type": {"const": "rich"},
        "html": {"type": "string", "pattern": "^<iframe .*</iframe>$"},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "provider_name": {"type": "string"},
        "provider_url": {"type": "string"},
        "cache_age": {"type": "integer"},
    },
}


@contextmanager
def other_site(html: str) -> Iterator[str]:
    """Serve ``html`` from another origin (127.0.0.1 on its own port) while in the block."""
    content = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_clip_made_in_the_console_is_public_embeddable_in_feeds_and_gone_on_withdrawal(
    page, live_server, tmp_path
):
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard", defaults={"constellation": "power", "labels": {"en": "Being heard"}}
    )
    story = published_spoken_story(tmp_path)
    collection = story.collections.get()
    curator = UserFactory(username="curator-clips", role=Role.CURATOR)
    sign_in(page, curator, live_server)
    load_axe(page)

    # The console's word selection (console.js sends this event) fills the form in.
    page.goto(f"/console/stories/{story.pk}/")
    page.evaluate(
        """document.dispatchEvent(new CustomEvent("tarina:wordselection", {detail:
            {start: 4.0, end: 6.4, text: "nobody told us that the", first: 8, last: 12}}))"""
    )
    assert page.input_value("#clip-start") == "4.00"
    assert page.input_value("#clip-end") == "6.40"
    assert "nobody told us" in page.locator("[data-clip=quote]").inner_text()
    page.fill("#clip-title", "Nobody told us")
    page.select_option("#clip-theme", theme.slug)
    with page.expect_navigation():
        page.get_by_role("button", name="Make a clip").click()
    clip = Clip.objects.get()
    assert (clip.title, clip.theme, clip.quote) == (
        "Nobody told us",
        theme,
        "nobody told us that the",
    )
    assert page.locator("#clips a", has_text="Nobody told us").is_visible()
    screenshot(page, "console-clips")
    assert blocking_violations(page) == []

    # Its audio is the published audio's span, sample for sample.
    published = decode_audio(Path(storages["public"].path(story.publication.audio.name)))
    heard = page.request.get(f"/clips/{clip.public_id}/audio.wav")
    assert heard.status == 200
    cut_file = tmp_path / "clip.wav"
    cut_file.write_bytes(heard.body())
    cut = decode_audio(Path(cut_file))
    span = published[round(clip.start * 16_000) : round(clip.start * 16_000) + len(cut)]
    assert len(cut) == round((6.4 - 4.0) * 16_000)
    assert np.max(np.abs(cut - span)) <= 1.5 / 32767

    # Its page, with oEmbed discovery.
    page.goto(f"/clips/{clip.public_id}/")
    assert page.locator("blockquote.clip-quote").inner_text() == "nobody told us that the"
    assert blocking_violations(page) == []
    screenshot(page, "clip-page")
    discovery = page.locator("link[rel=alternate][type='application/json+oembed']")
    oembed_url = discovery.get_attribute("href")
    oembed = page.request.get(oembed_url)
    assert oembed.status == 200
    body = oembed.json()
    jsonschema.validate(body, OEMBED_RICH)
    embed_url = f"{live_server.url}/clips/{clip.public_id}/embed/"
    assert f'src="{embed_url}"' in body["html"]

    # Embeddable: another site's page frames the player (every other page still refuses).
    embed = page.request.get(embed_url)
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    page.goto(embed_url)
    assert blocking_violations(page) == []
    screenshot(page, "clip-embed")
    story_page = page.request.get(f"/stories/{story.public_id}/")
    assert "frame-ancestors 'none'" in story_page.headers["content-security-policy"]
    # A municipality's page on another origin, with the pasted code.
    with other_site(f"<!doctype html><title>News</title><h1>News</h1>{body['html']}") as url:
        page.goto(url)
        player = page.frame_locator("iframe").locator("audio")
        player.wait_for(state="attached")
        assert page.frame_locator("iframe").locator(".clip-quote").inner_text() == clip.quote

    # In its collection's page and feeds.
    page.goto(f"/collections/{collection.slug}/")
    assert page.locator(".clips .clip-quote").inner_text() == clip.quote
    page_url = f"{live_server.url}/clips/{clip.public_id}/"
    for fmt in ("atom", "rss", "json"):
        feed = page.request.get(f"/feeds/collections/{collection.slug}.{fmt}")
        if fmt == "json":
            links = [item["url"] for item in feed.json()["items"]]
        else:
            parsed = feedparser.parse(feed.body())
            assert not parsed.bozo, parsed.bozo_exception
            links = [entry.link for entry in parsed.entries]
        assert page_url in links, fmt

    # Withdrawn: gone everywhere, its file too.
    consent.withdraw(story, actor_label="test")
    for url in (
        f"/clips/{clip.public_id}/",
        f"/clips/{clip.public_id}/embed/",
        f"/clips/{clip.public_id}/audio.wav",
        oembed_url,
        f"/api/v1/public/clips/{clip.public_id}/",
    ):
        assert page.request.get(url).status == 410, url
    clip.refresh_from_db()
    assert not clip.audio
    feed = feedparser.parse(page.request.get(f"/feeds/collections/{collection.slug}.atom").body())
    assert page_url not in [entry.link for entry in feed.entries]
