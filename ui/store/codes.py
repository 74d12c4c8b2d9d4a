"""Class codes, teacher keys, seat tokens and nicknames: making them, reading what was typed, hashing secrets.

The class code is 8 characters from a 31-letter alphabet without 0/O/1/I/L (31^8 ≈ 8.5·10^11 codes); a teacher
key has 20 (~99 bits); a seat token, a student's own key to their answers, 128 random bits. Keys and tokens are
kept only as SHA-256 digests (they are random, so a fast hash is enough) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from ui.store.db import ClassError

__all__ = ["format_code", "parse_code", "code_or_none", "new_code", "new_key", "new_seat", "digest", "key_digest",
           "same_digest", "valid_seat", "check_nickname", "CODE_LENGTH"]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"        # no 0/O, 1/I/L: read off a projector without mistakes
CODE_LENGTH = 8
KEY_LENGTH = 20
NICKNAME = (2, 24)
_NICK_EXTRA = set(" -_.'")
_SEAT = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    return _random(CODE_LENGTH)


def new_key() -> str:
    """A teacher key, "ABCD-EFGH-JKMN-PQRS-TUVW"."""
    key = _random(KEY_LENGTH)
    return "-".join(key[i:i + 4] for i in range(0, KEY_LENGTH, 4))


def new_seat() -> str:
    return secrets.token_urlsafe(18)


def valid_seat(token: str) -> bool:
    return bool(_SEAT.match(str(token or "")))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key_digest(text: str) -> str:
    """The digest of a teacher key as typed: case, spaces and dashes do not matter."""
    return digest(re.sub(r"[\s-]", "", str(text or "")).upper()[:80])


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def format_code(code: str) -> str:
    """"K7QM4XRP" → "K7QM-4XRP" (how it is shown and read out)."""
    return f"{code[:4]}-{code[4:]}"


def parse_code(text: str) -> str:
    """A typed class code without spaces or dashes, upper case; ClassError if it cannot be one.

    >>> parse_code(" k7qm-4xrp ")
    'K7QM4XRP'
    """
    code = re.sub(r"[\s-]", "", str(text or "")).upper()[:40]
    if len(code) != CODE_LENGTH or not set(code) <= set(ALPHABET):
        raise ClassError("a class code has 8 letters and digits, like K7QM-4XRP (no 0, 1, I, L or O): "
                         "check it on the projector")
    return code


def code_or_none(text: str) -> str | None:
    """parse_code(text), or None if the text cannot be a class code."""
    try:
        return parse_code(text)
    except ClassError:
        return None


def check_nickname(text: str) -> tuple[str, str]:
    """(nickname as shown, its case-folded form that must be unique in the class), or ClassError.

    >>> check_nickname("  Ada   Lovelace ")
    ('Ada Lovelace', 'ada lovelace')
    """
    nick = " ".join(unicodedata.normalize("NFKC", str(text or "")).split())
    lo, hi = NICKNAME
    if not lo <= len(nick) <= hi:
        raise ClassError(f"a nickname has {lo} to {hi} characters; yours has {len(nick)}")
    if not all(c.isalnum() or c in _NICK_EXTRA for c in nick):
        raise ClassError("a nickname may use letters, digits, spaces and - _ . ' only (no <, >, & or other signs): "
                         "choose another")
    return nick, nick.casefold()[:hi]
