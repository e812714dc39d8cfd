"""A simulated social security card (reference §3-5, §8.2), including its refusals and retry counters.

``SimulatedCard.process(apdu) -> bytes`` (response data ∥ SW) is all a transport needs; ``power_on()`` resets
the session (selection, challenge, authentication state) as a card reset does.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from hardware.model import historical_bytes
from hardware.psam import diversification_factors
from hardware.simulator.crypto import cryptogram, diversify
from hardware.simulator.files import (
    SSSE_NAME,
    Application,
    BinaryFile,
    RecordFile,
    bank_applications,
    ssse_application,
)
from hardware.simulator.profiles import DEFAULT_ATR, TEST_ROOT_KEY, Profile

RKSSSE = 0x0A


class CardPulled(Exception):
    """Raised by :meth:`SimulatedCard.process` when the profile pulls the card out mid-read."""


def sw(value: int, data: bytes = b"") -> bytes:
    return data + value.to_bytes(2, "big")


@dataclass
class Counters:
    """Retry counters and how often any was decremented (tests assert on ``decrements``)."""

    ext_auth: int = 3
    pin: int = 3
    decrements: int = 0
    log: list[bytes] = field(default_factory=list)  # every command APDU received


class SimulatedCard:
    """Card model built from a profile dict (see :mod:`hardware.simulator.profiles`)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.kind: str = profile.get("kind", "ssc")
        self.atr = bytes.fromhex(profile.get("atr", DEFAULT_ATR))
        self.t0 = bool(profile.get("t0", False))
        behaviour = profile.get("behaviour", {})
        self.delay = float(behaviour.get("delay_ms", 0)) / 1000.0
        self.remove_after: int | None = behaviour.get("remove_after")
        self.locked_sw: int | None = int(profile["locked"], 16) if profile.get("locked") else None
        self.counters = Counters(
            ext_auth=int(profile.get("ext_auth_tries", 3)), pin=int(profile.get("pin_tries", 3))
        )
        self.max_ext = self.counters.ext_auth
        self.pin: str = profile.get("pin", "123456")
        self.apps: list[Application] = []
        if self.kind == "ssc":
            self.apps.append(ssse_application(profile))
        self.apps.extend(bank_applications(profile.get("bank")))
        region = profile.get("ef05", {}).get("card_id_code", "")[:6] or profile.get("ef05", {}).get(
            "region", "460100"
        )
        root = bytes.fromhex(profile.get("root_key", TEST_ROOT_KEY))
        self.card_key = diversify(root, diversification_factors(region, self.atr))
        self.irk = diversify(root[::-1], diversification_factors(region, self.atr))
        self.lock = threading.Lock()
        self.pulled = False
        self.power_on()

    @property
    def historical(self) -> bytes:
        return historical_bytes(self.atr)

    def power_on(self) -> None:
        """Cold/warm reset: clears selection, challenge, authentication and pending T=0 data."""
        self.df: Application | None = None
        self.ef: RecordFile | BinaryFile | None = None
        self.challenge: bytes | None = None
        self.authenticated = False
        self.pending = b""

    # -- dispatch -------------------------------------------------------------------------------------

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with data ∥ SW.

        Raises:
            CardPulled: the profile's ``remove_after`` count was reached (the card is gone).
        """
        with self.lock:
            if self.pulled:
                raise CardPulled()
            self.counters.log.append(bytes(apdu))
            if self.remove_after is not None and len(self.counters.log) > self.remove_after:
                self.pulled = True
                raise CardPulled()
            if self.delay:
                time.sleep(self.delay)
            if len(apdu) < 4:
                return sw(0x6700)
            out = self._dispatch(apdu)
            if self.t0 and len(out) > 2 and len(apdu) > 5 and apdu[1] != 0xC0:  # case 4 under T=0
                self.pending = out[:-2]
                return sw(0x6100 | (len(self.pending) & 0xFF))
            return out

    def _dispatch(self, apdu: bytes) -> bytes:
        cla, ins = apdu[0], apdu[1]
        body, le = _split(apdu)
        if body is None:
            return sw(0x6700)
        if cla not in (0x00, 0x80, 0x84):
            return sw(0x6E00)
        handler = {
            0xA4: self._select,
            0xB2: self._read_record,
            0xB0: self._read_binary,
            0x84: self._get_challenge,
            0x88: self._internal_auth,
            0x82: self._external_auth,
            0x20: self._verify,
            0xC0: self._get_response,
            0xA8: self._gpo,
        }.get(ins)
        if handler is None:
            return sw(0x6D00)
        return handler(apdu[2], apdu[3], body, le)

    # -- commands ---------------------------------------------------------------------------------------

    def _select(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p2 not in (0x00, 0x02):
            return sw(0x6A86)
        if p1 == 0x04:
            if data == SSSE_NAME and self.locked_sw is not None:
                return sw(self.locked_sw)
            app = next((a for a in self.apps if a.name == data), None)
            if app is None or p2 == 0x02:
                return sw(0x6A82)
            self.df, self.ef, self.authenticated, self.challenge = app, None, False, None
            return sw(0x9000, app.fci)
        if p1 in (0x00, 0x02):
            if p1 == 0x00 and data in (b"", b"\x3f\x00"):
                self.df, self.ef, self.authenticated = None, None, False
                return sw(0x9000)
            if len(data) != 2:
                return sw(0x6A80)
            fid = int.from_bytes(data, "big")
            ef = self.df.by_fid(fid) if self.df is not None else None
            if ef is None or fid == 0:
                return sw(0x6A82)
            self.ef = ef
            return sw(0x9000)
        return sw(0x6A86)

    def _current(self, sfi: int) -> RecordFile | BinaryFile | bytes:
        if sfi == 0:
            return self.ef if self.ef is not None else sw(0x6986)
        ef = self.df.by_sfi(sfi) if self.df is not None else None
        if ef is None:
            return sw(0x6A82)
        self.ef = ef
        return ef

    def _read_record(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        ef = self._current(p2 >> 3)
        if isinstance(ef, bytes):
            return ef
        if not isinstance(ef, RecordFile):
            return sw(0x6981)
        if ef.protected and not self.authenticated:
            return sw(0x6982)
        mode = p2 & 0x07
        if p1 == 0 or mode not in (0, 4):
            return sw(0x6A86)
        if mode == 4:
            record = ef.records[p1 - 1] if p1 <= len(ef.records) else None
        else:
            record = next((r for r in ef.records if r[0] == p1), None)
        if record is None:
            return sw(0x6A83)
        if le != len(record):
            return sw(0x6C00 | len(record))
        return sw(0x9000, record)

    def _read_binary(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p1 & 0x80:
            ef = self._current(p1 & 0x1F)
            offset = p2
        else:
            ef = self._current(0)
            offset = (p1 << 8) | p2
        if isinstance(ef, bytes):
            return ef
        if not isinstance(ef, BinaryFile):
            return sw(0x6981)
        if ef.protected and not self.authenticated:
            return sw(0x6982)
        if offset > len(ef.data):
            return sw(0x6B00)
        n = le or 256
        return sw(0x9000, ef.data[offset : offset + n])

    def _get_challenge(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if le not in (4, 8):
            return sw(0x6700)
        self.challenge = os.urandom(le)
        return sw(0x9000, self.challenge)

    def _internal_auth(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if len(data) not in (0x10, 0x11):
            return sw(0x6700)
        return sw(0x9000, cryptogram(self.irk, data[:8], data[8:16]))

    def _external_auth(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if len(data) not in (0x10, 0x11):
            return sw(0x6700)
        if p2 != RKSSSE:
            return sw(0x6A88)
        if self.counters.ext_auth == 0:
            return sw(0x6983)
        if self.challenge is None or len(self.challenge) != 8:
            return sw(0x6984)
        expected = cryptogram(self.card_key, self.challenge, data[8:16])
        self.challenge = None
        if data[:8] == expected:
            self.authenticated = True
            self.counters.ext_auth = self.max_ext
            return sw(0x9000)
        self.counters.ext_auth -= 1
        self.counters.decrements += 1
        return sw(0x63C0 | self.counters.ext_auth) if self.counters.ext_auth else sw(0x6983)

    def _verify(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if self.counters.pin == 0:
            return sw(0x6983)
        if not data:
            return sw(0x63C0 | self.counters.pin)
        if data.hex().upper().rstrip("F") == self.pin:
            self.counters.pin = 3
            return sw(0x9000)
        self.counters.pin -= 1
        self.counters.decrements += 1
        return sw(0x63C0 | self.counters.pin) if self.counters.pin else sw(0x6983)

    def _get_response(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if not self.pending:
            return sw(0x6985)
        n = le or 256
        chunk, self.pending = self.pending[:n], self.pending[n:]
        if self.pending:
            return sw(0x6100 | (len(self.pending) & 0xFF), chunk)
        return sw(0x9000, chunk)

    def _gpo(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if self.df is None or self.df.gpo is None:
            return sw(0x6985)
        if not data or data[0] != 0x83:
            return sw(0x6A80)
        return sw(0x9000, self.df.gpo)


def _split(apdu: bytes) -> tuple[bytes | None, int | None]:
    """(command data, Le) of a short APDU; data None when the length bytes are inconsistent."""
    if len(apdu) == 4:
        return b"", None
    if len(apdu) == 5:
        return b"", apdu[4]
    lc = apdu[4]
    if len(apdu) == 5 + lc:
        return apdu[5:], None
    if len(apdu) == 6 + lc:
        return apdu[5 : 5 + lc], apdu[-1]
    return None, None


def make_card(profile: Profile) -> Any:
    """A :class:`SimulatedCard` or, for ``kind == "psam"``, a :class:`~hardware.simulator.psam.SimulatedPsam`."""
    if profile.get("kind") == "psam":
        from hardware.simulator.psam import SimulatedPsam

        return SimulatedPsam(profile)
    return SimulatedCard(profile)
