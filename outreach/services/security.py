"""Masking of sensitive values and passphrase strength.

The wait after wrong passphrases is the storage's one policy (``storage.guard.delay_for``), used by the lock
screen too.
"""

from __future__ import annotations

import math
import string

from outreach.domain.masking import mask_middle, mask_mobile


def mask(value: str | None, keep_start: int = 0, keep_end: int = 4) -> str:
    """``110105194912310021`` -> ``**************0021``. Empty stays empty."""
    return mask_middle(value, keep_start, keep_end)


def mask_id(number: str | None) -> str:
    """Identity numbers on screen: first 3 and last 4 digits only (as on bank receipts; exports keep the
    region's 4 digits, :func:`outreach.domain.masking.mask_id_number`)."""
    return mask_middle(number, 3, 4)


def passphrase_strength(passphrase: str) -> int:
    """0 (very weak) .. 4 (strong): a rough entropy estimate, enough to guide a worker.

    Counts the size of the alphabet used (digits, lower, upper, symbols, CJK) times the length; a
    passphrase of a few words scores well without symbol rules.
    """
    if not passphrase:
        return 0
    pool = 0
    if any(c in string.digits for c in passphrase):
        pool += 10
    if any(c in string.ascii_lowercase for c in passphrase):
        pool += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pool += 26
    if any(c in string.punctuation or c == " " for c in passphrase):
        pool += 33
    if any(ord(c) > 0x2E80 for c in passphrase):
        pool += 2000
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(max(pool, 2))
    if bits < 28:
        return 0
    if bits < 40:
        return 1
    if bits < 55:
        return 2
    if bits < 70:
        return 3
    return 4


#: Minimum strength for a new vault passphrase.
MIN_STRENGTH = 2

__all__ = ["MIN_STRENGTH", "mask", "mask_id", "mask_mobile", "passphrase_strength"]
