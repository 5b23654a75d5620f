"""Base-form candidates for inflected Finnish names: "Virtaselta" → "Virtanen".

Finnish inflects names with case endings, and the stem may change: -nen names take a
-se- stem (Virtanen → Virtasen), consonant gradation weakens the stem (Pekka → Pekan,
Heikki → Heikiltä, Aalto → Aallon), and e-stems replace a final -i (Niemi → Niemen). We
cannot know which one applied, so we generate the few plausible base forms and let the
gazetteer decide which is a name. No dictionary of Finnish is needed.
"""

from __future__ import annotations

from media_pipeline.privacy.cues import words

# Case endings, longest first so that "-lta" is tried before "-a". Both vowel-harmony
# variants are listed; "i"-prefixed ones cover consonant-final foreign names (Mikaelille).
_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        words("n a ä ta tä na nä ksi ssa ssä sta stä lla llä lta ltä lle tta ttä ineen")
        | words("in ia iä ille ilta iltä illa illä ista istä issa issä iksi ina inä"),
        key=len,
        reverse=True,
    )
)
# Enclitic particles that attach after the case ending: "Annallekin", "Mikaelkaan".
_CLITICS = ("kin", "kaan", "kään", "han", "hän", "pa", "pä")

# Weak → strong grade of the last consonant before the stem vowel.
_GRADATION: tuple[tuple[str, str], ...] = (
    ("ng", "nk"),
    ("nn", "nt"),
    ("ll", "lt"),
    ("rr", "rt"),
    ("mm", "mp"),
    ("hd", "ht"),
    ("lj", "lk"),
    ("d", "t"),
    ("k", "kk"),
    ("t", "tt"),
    ("p", "pp"),
    ("v", "p"),
)
_VOWELS = set("aeiouyäö")


def _strong_grades(stem: str) -> list[str]:
    """Stems with the weak grade before the final vowel restored: Peka → Pekka."""
    if len(stem) < 3 or stem[-1] not in _VOWELS:
        return []
    body, vowel = stem[:-1], stem[-1]
    out = []
    for weak, strong in _GRADATION:
        if body.endswith(weak) and not body.endswith(strong):
            out.append(body[: -len(weak)] + strong + vowel)
    return out


def _stem_variants(stem: str) -> list[str]:
    """Nominative candidates for a bare stem."""
    out = [stem]
    if stem.endswith("se"):  # Virtase(n) → Virtanen
        out.append(stem[:-2] + "nen")
    if stem.endswith("s") and len(stem) > 3:  # Virtas(ta) → Virtanen
        out.append(stem[:-1] + "nen")
    if stem.endswith("e"):  # Nieme(n) → Niemi, Lahde(n) → Lahti
        out.append(stem[:-1] + "i")
    for candidate in list(out):
        out.extend(_strong_grades(candidate))
    return out


def finnish_base_forms(word: str) -> list[str]:
    """Plausible base forms of a (possibly inflected) Finnish name, most literal first.

    The word itself is always first. "Mikael:lle"-style colon endings are split off.
    """
    if ":" in word:  # abbreviations and foreign names: "Smith:lle", "EU:n"
        head = word.split(":", 1)[0]
        return [word, head] if head else [word]
    candidates = [word]
    lower = word.lower()
    bases = [lower]
    for clitic in _CLITICS:
        if lower.endswith(clitic) and len(lower) - len(clitic) >= 3:
            bases.append(lower[: -len(clitic)])
    for base in bases:
        # Illative: lengthened vowel + n ("Annaan", "Mikaeliin", "Virtaseen").
        if len(base) > 4 and base[-1] == "n" and base[-2] == base[-3] and base[-2] in _VOWELS:
            candidates.extend(_stem_variants(base[:-2]))
        for ending in _ENDINGS:
            if base.endswith(ending) and len(base) - len(ending) >= 2:
                candidates.extend(_stem_variants(base[: -len(ending)]))
    seen: set[str] = set()
    out: list[str] = []
    for candidate in candidates:
        restored = candidate[:1].upper() + candidate[1:]
        if restored.casefold() not in seen:
            seen.add(restored.casefold())
            out.append(restored)
    return out
