"""Receipts: the secret that lets a reporter without an account follow and withdraw a story.

A receipt is 160 random bits written as eight groups of four characters from an
alphabet with no look-alikes, so it can be read aloud or copied from paper. Only
its sha256 is stored; with that much entropy a fast hash is enough, and looking
up by hash means the secret is never compared character by character. Guessing is
throttled per client in the API (``TARINA_RECEIPT_THROTTLE``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from stories.models import Story

# Crockford's base32: no I, L, O or U to confuse with 1, 0 or V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
GROUPS = 8
GROUP_SIZE = 4


def issue() -> tuple[str, str]:
    """A new receipt and the hash to store for it."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    receipt = "-".join(chars[i : i + GROUP_SIZE] for i in range(0, len(chars), GROUP_SIZE))
    return receipt, digest(receipt)


def normalise(receipt: str) -> str:
    """Forgive case, spaces, dashes and look-alike letters in a typed receipt."""
    cleaned = "".join(ch for ch in receipt.upper() if ch.isalnum())
    return cleaned.translate(_LOOK_ALIKES)


def digest(receipt: str) -> str:
    """The stored form of a receipt."""
    return hashlib.sha256(normalise(receipt).encode("ascii", "ignore")).hexdigest()


def looks_valid(receipt: str) -> bool:
    """True when ``receipt`` has the shape of one we issue (checked before any lookup)."""
    cleaned = normalise(receipt)
    return len(cleaned) == GROUPS * GROUP_SIZE and all(ch in ALPHABET for ch in cleaned)


def find_story(receipt: str) -> Story | None:
    """The story behind a receipt, or None for a malformed or unknown one."""
    if not looks_valid(receipt):
        return None
    wanted = digest(receipt)
    story = Story.objects.filter(receipt_hash=wanted).first()
    # The index lookup compares hashes, not secrets; the constant-time comparison makes
    # sure a match is a match whatever the database's collation does with case.
    if story is None or not hmac.compare_digest(story.receipt_hash, wanted):
        return None
    return story
