"""Helpers shared by the hardware tests (reader names, waiting for pcscd to see a card)."""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USER_READER = "Virtual PCD 00 00"
PSAM_READER = "Virtual PCD 00 01"
NO_PCSCD_HINT = (
    "pcscd with the vsmartcard virtual reader is required for @pytest.mark.pcscd tests: run scripts/services.sh "
    "(or scripts/test). Set OUTREACH_ALLOW_NO_PCSCD=1 to skip them instead."
)


def wait_card_state(reader: str, present: bool, timeout: float = 8.0) -> None:
    """Block until pcscd reports a card present/absent in ``reader``."""
    from smartcard import scard as sc

    hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    assert hr == sc.SCARD_S_SUCCESS
    try:
        deadline = time.monotonic() + timeout
        state = sc.SCARD_STATE_UNAWARE
        while time.monotonic() < deadline:
            hr, result = sc.SCardGetStatusChange(ctx, 200, [(reader, state)])
            if hr == sc.SCARD_S_SUCCESS:
                _name, event, _atr = result[0]
                if bool(event & sc.SCARD_STATE_PRESENT) == present:
                    return
                state = event & ~sc.SCARD_STATE_CHANGED
        raise AssertionError(f"{reader}: card {'present' if present else 'absent'} not seen in {timeout}s")
    finally:
        sc.SCardReleaseContext(ctx)


#: The vpcd slots are machine-wide: concurrent test runs (other engineers, xdist) take turns.
SLOT_LOCK = Path("/tmp/outreach-vpcd-slots.lock")


@contextlib.contextmanager
def vpcd_slots() -> Iterator[None]:
    """Hold the machine-wide lock on the vpcd slots."""
    with SLOT_LOCK.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
