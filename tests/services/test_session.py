"""Creating, opening and locking the vault; wrong passphrases get a growing wait, never a crash."""

from __future__ import annotations

import pytest

from outreach.services.errors import VaultExists, VaultMissing, WeakPassphrase, WrongPassphrase
from outreach.services.security import mask_id, passphrase_strength
from storage import guard
from tests.support.context import PASSPHRASE, make_context


def test_first_start_creates_the_vault(tmp_path):
    ctx = make_context(tmp_path, create=False)
    assert not ctx.session.exists()
    with pytest.raises(WeakPassphrase) as mismatch:
        ctx.session.create(PASSPHRASE, PASSPHRASE + "x")
    assert mismatch.value.key == "unlock.mismatch"
    with pytest.raises(WeakPassphrase) as weak:
        ctx.session.create("1234", "1234")
    assert weak.value.key == "unlock.weak"
    assert not ctx.session.exists()
    ctx.session.create(PASSPHRASE, PASSPHRASE)
    assert ctx.session.is_open
    assert ctx.session.exists()
    with pytest.raises(VaultExists):
        ctx.session.create(PASSPHRASE, PASSPHRASE)
    ctx.close()


def test_unlock_without_a_vault_says_so(tmp_path):
    ctx = make_context(tmp_path, create=False)
    with pytest.raises(VaultMissing):
        ctx.session.unlock(PASSPHRASE)


def test_wrong_passphrase_is_refused_and_the_right_one_opens(tmp_path):
    ctx = make_context(tmp_path, seed=False)
    with pytest.raises(WrongPassphrase) as wrong:
        ctx.session.unlock("not the passphrase")
    assert PASSPHRASE not in str(wrong.value)
    assert "not the passphrase" not in str(wrong.value)
    assert not ctx.session.is_open
    ctx.session._not_before = 0.0  # skip the wait the storage layer asked for
    ctx.session.unlock(PASSPHRASE)
    assert ctx.session.is_open
    ctx.close()


def test_lock_and_resume(ctx):
    ctx.session.lock()
    assert ctx.session.locked
    with pytest.raises(WrongPassphrase):
        ctx.session.resume("wrong")
    assert ctx.session.locked
    ctx.session.resume(PASSPHRASE)
    assert not ctx.session.locked


def test_the_lock_screen_waits_as_the_vault_does(ctx):
    """One back-off policy: after the storage's free tries, the lock screen asks for the storage's wait."""
    moments = iter([1000.0] * 100)
    ctx.session._clock = lambda: next(moments)
    ctx.session.lock()
    waits = []
    tries = 12  # far enough for the wait to pass 5 minutes: the vault's cap is 15
    for _ in range(tries):
        with pytest.raises(WrongPassphrase) as wrong:
            ctx.session.resume("wrong")
        waits.append(wrong.value.wait_seconds)
        ctx.session._not_before = 0.0  # the next try without waiting it out
    assert waits == [guard.delay_for(n) for n in range(1, tries + 1)]
    assert waits[: guard.FREE_ATTEMPTS - 1] == [0.0] * (guard.FREE_ATTEMPTS - 1)
    assert waits[-1] > 5 * 60
    assert guard.delay_for(50) == guard.MAX_DELAY == 15 * 60


def test_strength_and_masking():
    assert passphrase_strength("") == 0
    assert passphrase_strength("1234") < passphrase_strength(PASSPHRASE)
    assert passphrase_strength(PASSPHRASE) >= 3
    assert mask_id("460106194803081025") == "460***********1025"
