"""The one test passphrase, and a cheap key-derivation profile for tests that make many vaults."""

from __future__ import annotations

import pytest

import storage.keys

#: The passphrase of every test vault (typed into the app by Pilot tests, so ASCII).
PASSPHRASE = "correct horse battery staple"

#: Argon2id at full cost is about 0.2-0.5 s per vault; tests that make dozens of vaults use this profile.
CHEAP_KDF = storage.keys.KdfProfile(name="test-cheap", time_cost=1, memory_kib=8, parallelism=1)

#: Python source run first in a subprocess so that it derives keys with :data:`CHEAP_KDF` too.
CHEAP_KDF_PRELUDE = (
    "import storage.keys as k; real = k.derive_key; "
    "cheap = k.KdfProfile(name='test-cheap', time_cost=1, memory_kib=8, parallelism=1); "
    "k.derive_key = lambda p, s, profile=None: real(p, s, cheap); "
)

_real_derive = storage.keys.derive_key


def cheap_derive(passphrase: str, salt: bytes, profile: object = None) -> bytearray:
    """``storage.keys.derive_key`` with the cheap profile, whatever profile is asked for."""
    return _real_derive(passphrase, salt, CHEAP_KDF)


def use_cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every vault opened or created in this test derive its key with :data:`CHEAP_KDF`."""
    monkeypatch.setattr(storage.keys, "derive_key", cheap_derive)
