"""The consent boxes say what they do with pictures, in each of the four languages."""

from __future__ import annotations

import re

import pytest

# (language, words the publish_text help must hold, the picture box's label, the face box's
#  label, words of the face box's help)
WORDING = [
    ("en", "never shows your photo or video", "Publish my photo, blurred",
     "Show my face without blurring", "people can recognise you"),
    ("fi", "ei koskaan näytä kuvaasi tai videotasi", "Julkaiskaa kuvani sumennettuna",
     "Näyttäkää kasvoni sumentamatta", "sinut voidaan tunnistaa"),
    ("sv", "visar aldrig ditt foto eller din video", "Publicera mitt foto, suddat",
     "Visa mitt ansikte utan suddning", "andra kan känna igen dig"),
    ("de", "Dein Foto oder Video wird dadurch nie gezeigt",
     "Mein Foto unkenntlich gemacht veröffentlichen",
     "Mein Gesicht ohne Unkenntlichmachung zeigen", "man kann dich erkennen"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text_only", "image", "face", "face_help"), WORDING)
def test_the_picture_boxes_say_what_they_publish(
    client, drive, language, text_only, image, face, face_help
):
    html = client.get(f"/d/{drive.slug}/?lang={language}").content.decode()
    labels = dict(re.findall(r'name="consent_(\w+)"[^>]*>\s*<strong>(.*?)</strong>', html))
    helps = dict(re.findall(r'name="consent_(\w+)".*?<p class="hint">(.*?)</p>', html, re.S))
    assert text_only in helps["publish_text"]
    assert labels["publish_image"] == image
    assert labels["publish_face"] == face
    assert face_help in helps["publish_face"]
    # The old promise, "faces are blurred when we can" next to an unblurred face, is gone.
    assert "when we can" not in html
    assert "kun voimme" not in html


def test_the_face_box_is_offered_after_the_picture_box(client, drive):
    html = client.get(f"/d/{drive.slug}/?lang=en").content.decode()
    order = re.findall(r'name="consent_(\w+)"', html)
    assert order.index("publish_face") == order.index("publish_image") + 1
