"""Masking of sensitive values and passphrase strength.

The wait after wrong passphrases is the storage's one policy (``storage.guard.delay_for``), used by the lock
screen too.
"""

from __future__ import annotations

from collections.abc import Iterable

from outreach.domain.masking import mask_middle, mask_mobile
from outreach.services.passphrase import MIN_SCORE
from outreach.services.passphrase import score as passphrase_score


def mask(value: str | None, keep_start: int = 0, keep_end: int = 4) -> str:
    """``110105194912310021`` -> ``**************0021``. Empty stays empty."""
    return mask_middle(value, keep_start, keep_end)


def mask_id(number: str | None) -> str:
    """Identity numbers on screen: first 3 and last 4 digits only (as on bank receipts; exports keep the
    region's 4 digits, :func:`outreach.domain.masking.mask_id_number`)."""
    return mask_middle(number, 3, 4)


def passphrase_strength(passphrase: str, context: Iterable[str] = ()) -> int:
    """0 (guessed at once) .. 4 (very unguessable): how hard the passphrase is to guess (zxcvbn with the
    worker's context, ``context`` being e.g. the worker ID; see :mod:`outreach.services.passphrase`), not a
    length or character-class rule."""
    return passphrase_score(passphrase, context)


#: Minimum strength for a new vault passphrase.
MIN_STRENGTH = MIN_SCORE

__all__ = ["MIN_STRENGTH", "mask", "mask_id", "mask_mobile", "passphrase_strength"]
