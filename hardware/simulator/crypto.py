"""Test-key cryptography shared by the simulated card and the simulated PSAM (reference §5.3, simplified).

Only SM4 (algorithm byte 03) is implemented; keys are TEST keys from the profile files, never real ones.

* Diversification (one level per factor, 8-byte factor ``f``): ``K' = SM4_K(f ∥ ~f)``; applied with the
  province, city and card factors in turn to the root key (the PSAM holds the root; the card holds the result).
* Session key: ``KS = SM4_K(R4 ∥ 00×8)`` where R4 is the card's last challenge.
* Cryptogram over 8 original bytes ``R3``: ``C = left8 ⊕ right8 of SM4_KS(R3 ∥ 00×8)``.
"""

from __future__ import annotations

from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

SM4 = 0x03


def sm4_encrypt(key: bytes, block: bytes) -> bytes:
    """SM4-ECB encryption of exactly one 16-byte block."""
    if len(key) != 16 or len(block) != 16:
        raise ValueError("SM4 needs 16-byte key and block")
    c = CryptSM4()
    c.set_key(key, SM4_ENCRYPT)
    out: bytes = c.crypt_ecb(block)
    return out[:16]


def diversify(root: bytes, factors: bytes) -> bytes:
    """Card key from the root key and the concatenated 8-byte factors."""
    key = root
    for i in range(0, len(factors), 8):
        f = factors[i : i + 8]
        key = sm4_encrypt(key, f + bytes(b ^ 0xFF for b in f))
    return key


def cryptogram(card_key: bytes, session_factor: bytes, original: bytes) -> bytes:
    """The 8-byte external-authentication cryptogram."""
    ks = sm4_encrypt(card_key, session_factor + bytes(8))
    enc = sm4_encrypt(ks, original + bytes(8))
    return bytes(a ^ b for a, b in zip(enc[:8], enc[8:], strict=True))
