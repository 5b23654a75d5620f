"""Corrected words get the time of the machine words they replaced (no model needed)."""

from __future__ import annotations

from media_pipeline.speech.alignment import MachineWord, TimedToken, diff_timings, plan_pieces

MACHINE = [
    MachineWord(" My", 0.0, 0.3),
    MachineWord(" name", 0.3, 0.6),
    MachineWord(" is", 0.6, 0.8),
    MachineWord(" Major", 0.8, 1.2),
    MachineWord(" Virtanon.", 1.2, 1.9),
    MachineWord(" Call", 2.2, 2.5),
    MachineWord(" 0770910123.", 2.5, 5.0),
]


def times(text: str) -> dict[str, tuple[float, float] | None]:
    return {text[t.token.start : t.token.end]: t.time for t in diff_timings(text, MACHINE)}


def test_a_corrected_name_takes_the_time_of_the_misheard_words():
    found = times("My name is Maija Virtanen. Call 07700 910 123.")
    assert found["My"] == (0.0, 0.3)
    assert found["Maija"] == found["Virtanen."] == (0.8, 1.9)
    assert found["07700"] == found["123."] == (2.5, 5.0)


def test_an_inserted_word_takes_the_gap_between_its_neighbours():
    found = times("My name is Major Virtanon. Please Call 0770910123.")
    assert found["Please"] == (1.9, 2.2)


def test_an_inserted_word_between_touching_words_gets_some_time():
    start, end = times("My dear name is Major Virtanon. Call 0770910123.")["dear"] or (0, 0)
    assert start < 0.3 < end
    assert end - start >= 0.29


def test_pieces_stay_within_what_whisper_sees_at_once():
    text = " ".join(f"w{i}" for i in range(100))
    timed = diff_timings(text, [MachineWord(f" w{i}", i * 0.8, i * 0.8 + 0.5) for i in range(100)])
    pieces = plan_pieces(timed, duration=81.0)
    assert len(pieces) >= 3
    assert all(p.end - p.start <= 28.0 for p in pieces)
    assert pieces[0].char_start == 0
    assert pieces[-1].char_end == len(text)


def test_tokens_without_any_time_join_a_piece():
    timed = [TimedToken(t.token, None) for t in diff_timings("a b c", [])]
    [piece] = plan_pieces(timed, duration=3.0)
    assert (piece.start, piece.end) == (0.0, 3.0)
