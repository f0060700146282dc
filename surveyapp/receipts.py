"""Receipt codes: random, non-sequential, easy to read aloud or type."""

from __future__ import annotations

import secrets

# Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 3
GROUP_LENGTH = 4


def new_receipt_code() -> str:
    """Return a code like ``7K3Q-XM2D-9PA4`` (60 random bits)."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )
