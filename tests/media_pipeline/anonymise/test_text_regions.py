"""Text in pictures: Tesseract reads it, personal words (or all of them) are blurred."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from media_pipeline import privacy
from media_pipeline.anonymise import (
    PictureRedaction,
    RelativeBox,
    TextReadingFailed,
    anonymise_image,
    read_words,
)
from media_pipeline.anonymise.text_regions import personal_words

from .helpers import scene_with_name_tag

NAME = "Anna Svensson"


ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def detect():
    """The real personal-data detector, with the gazetteer in var/models (built once)."""
    names = privacy.load_gazetteer(privacy.build_gazetteer(ROOT / "var" / "models" / "privacy"))
    return lambda text: privacy.detect(text, "en", gazetteer=names)


def _words(path: Path) -> set[str]:
    with Image.open(path) as im:
        return {w.text for w in read_words(im)}


def _detail(im: Image.Image, box: tuple[int, int, int, int]) -> float:
    """How much fine detail a region has: the spread of its horizontal differences."""
    grey = np.asarray(im.convert("L").crop(box), dtype=np.float64)
    return float(np.abs(np.diff(grey, axis=1)).std())


def test_tesseract_reads_the_name_on_a_tag():
    words = read_words(scene_with_name_tag(NAME)[0])
    assert {"Anna", "Svensson"} <= {w.text for w in words}
    tag = next(w for w in words if w.text == "Svensson")
    assert tag.box.x >= 60
    assert tag.box.right <= 460
    assert tag.box.y >= 400


def test_the_detector_picks_the_name_and_leaves_other_words(detect):
    image = scene_with_name_tag(NAME, sign="KIRJASTO")[0]
    picked = {w.text for w in personal_words(read_words(image), detect)}
    # Noise read in the face may be taken for a name too: blurring it costs nothing.
    assert {"Anna", "Svensson"} <= picked
    assert "KIRJASTO" not in picked


def test_a_personal_name_is_no_longer_legible_in_the_anonymised_picture(detect, tmp_path):
    scene, face, _tag = scene_with_name_tag(NAME)
    scene.save(tmp_path / "in.png")
    result = anonymise_image(
        tmp_path / "in.png",
        tmp_path / "out.jpg",
        redaction=PictureRedaction(blur_text="personal", detect=detect),
    )
    assert len(result.text) >= 2
    assert result.faces
    assert not _words(result.path) & {"Anna", "Svensson"}
    with Image.open(result.path) as out:
        assert _detail(out, face) < _detail(scene, face) / 3


def test_all_text_is_blurred_when_asked(tmp_path):
    scene_with_name_tag("Kirjasto auki")[0].save(tmp_path / "in.png")
    result = anonymise_image(
        tmp_path / "in.png", tmp_path / "out.jpg", redaction=PictureRedaction(blur_text="all")
    )
    assert len(result.text) >= 2
    assert not _words(result.path) & {"Kirjasto", "auki"}


def test_a_marked_region_is_blurred_in_any_picture_size(tmp_path):
    scene, _, tag = scene_with_name_tag(NAME)
    scene.save(tmp_path / "in.png")
    marked = RelativeBox(tag[0] / 800, tag[1] / 600, (tag[2] - tag[0]) / 800, 70 / 600)
    result = anonymise_image(
        tmp_path / "in.png",
        tmp_path / "out.jpg",
        redaction=PictureRedaction(blur_faces=False, marked=(marked,)),
        max_edge=400,
    )
    assert result.marked[0].x == 30
    assert result.width == 400
    assert not _words(result.path) & {"Anna", "Svensson"}


@pytest.mark.parametrize(
    "values", [(0.5, 0.5, 0.6, 0.1), (-0.1, 0, 0.2, 0.2), (0, 0, 0, 0.2), (0, 0, 1.5, 1)]
)
def test_a_box_outside_the_picture_is_refused(values):
    with pytest.raises(ValueError, match="box"):
        RelativeBox(*values)


def test_reading_that_takes_too_long_fails_rather_than_passing_text_unread():
    with pytest.raises(TextReadingFailed, match="longer than"):
        read_words(scene_with_name_tag(NAME)[0], timeout=0.001)


def test_personal_text_needs_a_detector():
    with pytest.raises(ValueError, match="detector"):
        PictureRedaction(blur_text="personal")
