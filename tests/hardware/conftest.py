"""Fixtures for the card-reader tests: simulated readers in process, and virtual cards through pcscd + vpcd."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hardware.simulator import load_profile, make_card
from hardware.simulator.vpicc import VpiccClient
from tests.support.hardware import NO_PCSCD_HINT, PSAM_READER, USER_READER, vpcd_slots, wait_card_state


def _pcsc_readers() -> list[str] | None:
    from smartcard import scard as sc

    hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    if hr != sc.SCARD_S_SUCCESS:
        return None
    try:
        hr, names = sc.SCardListReaders(ctx, [])
        return list(names) if hr == sc.SCARD_S_SUCCESS else []
    finally:
        sc.SCardReleaseContext(ctx)


def _start_pcscd_like_services_sh() -> None:
    """What scripts/services.sh does for pcscd (idempotent), when we may."""
    if shutil.which("pcscd") is None or os.geteuid() != 0:
        return
    if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
        return
    Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
    subprocess.run(["pcscd"], check=False, capture_output=True)
    for _ in range(50):
        if Path("/run/pcscd/pcscd.comm").exists():
            return
        time.sleep(0.1)


@pytest.fixture(scope="session")
def pcscd() -> list[str]:
    """Ensure pcscd runs with the vpcd readers; FAIL (not skip) when absent unless OUTREACH_ALLOW_NO_PCSCD=1."""
    readers = _pcsc_readers()
    if readers is None or USER_READER not in readers:
        _start_pcscd_like_services_sh()
        readers = _pcsc_readers()
    if readers is None or USER_READER not in readers or PSAM_READER not in readers:
        if os.environ.get("OUTREACH_ALLOW_NO_PCSCD") == "1":
            pytest.skip("pcscd/vpcd not available (OUTREACH_ALLOW_NO_PCSCD=1)")
        pytest.fail(f"{NO_PCSCD_HINT} Readers seen: {readers!r}", pytrace=False)
    return readers


class VirtualCards:
    """Insert simulated cards into the vpcd slots and take them out again."""

    def __init__(self) -> None:
        self.clients: dict[int, VpiccClient] = {}

    def insert(self, profile: dict[str, Any] | str, slot: int = 0) -> Any:
        self.remove(slot)
        card = make_card(load_profile(profile) if isinstance(profile, str) else profile)
        client = VpiccClient(card, port=35963 + slot, reconnect=False).start()
        assert client.connected.wait(5), "vpicc could not reach vpcd"
        wait_card_state(USER_READER if slot == 0 else PSAM_READER, True)
        self.clients[slot] = client
        return card

    def remove(self, slot: int = 0) -> None:
        client = self.clients.pop(slot, None)
        if client is not None:
            client.stop()
            wait_card_state(USER_READER if slot == 0 else PSAM_READER, False)

    def close(self) -> None:
        for slot in list(self.clients):
            self.remove(slot)


@pytest.fixture
def slots(pcscd: list[str]) -> Iterator[None]:
    """Exclusive use of the vpcd slots for one test (machine-wide lock)."""
    with vpcd_slots():
        yield


@pytest.fixture
def vcards(slots: None) -> Iterator[VirtualCards]:
    cards = VirtualCards()
    try:
        yield cards
    finally:
        cards.close()


@pytest.fixture
def sim_reader() -> Callable[..., Any]:
    """Factory: ``sim_reader(profile, psam=False)`` -> SimulatedReader holding that card."""
    from hardware.simulator import SimulatedReader

    def make(profile: dict[str, Any] | str, psam: bool = False) -> SimulatedReader:
        return SimulatedReader.with_card(profile, psam=psam)

    return make
