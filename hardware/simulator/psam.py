"""A simulated test PSAM answering the command set documented in :mod:`hardware.psam`."""

from __future__ import annotations

import threading
from typing import Any

from hardware.simulator.card import CardPulled, Counters, sw
from hardware.simulator.crypto import SM4, cryptogram, diversify
from hardware.simulator.profiles import PSAM_ATR, TEST_ROOT_KEY, TEST_TERMINAL_ID


class SimulatedPsam:
    """PSAM with one RKSSSE root key (category 07, id 0A), SM4 only."""

    kind = "psam"

    def __init__(self, profile: dict[str, Any]) -> None:
        self.profile = profile
        self.atr = bytes.fromhex(profile.get("atr", PSAM_ATR))
        self.terminal_id = bytes.fromhex(profile.get("terminal_id", TEST_TERMINAL_ID))
        self.keys = {(0x07, 0x0A): bytes.fromhex(profile.get("root_key", TEST_ROOT_KEY))}
        self.algorithms = set(profile.get("algorithms", [SM4]))
        self.counters = Counters()
        self.lock = threading.Lock()
        self.session: tuple[bytes, bytes] | None = None
        self.pulled = False

    def power_on(self) -> None:
        self.session = None

    def process(self, apdu: bytes) -> bytes:
        with self.lock:
            if self.pulled:
                raise CardPulled()
            self.counters.log.append(bytes(apdu))
            if len(apdu) < 4:
                return sw(0x6700)
            cla, ins, p1, p2 = apdu[:4]
            data = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
            if (cla, ins) == (0x00, 0xB0):
                if p1 == 0x96 and p2 == 0x00:
                    return sw(0x9000, self.terminal_id)
                return sw(0x6A82)
            if (cla, ins) == (0x00, 0xA4):
                return sw(0x6A82)
            if (cla, ins) == (0xBF, 0xDE):
                if len(data) != 0x21:
                    return sw(0x6700)
                root = self.keys.get((p1, p2))
                if root is None:
                    return sw(0x6A88)
                if data[0] not in self.algorithms:
                    return sw(0x6A81)
                self.session = (diversify(root, data[1:25]), data[25:33])
                return sw(0x9000)
            if (cla, ins) == (0x80, 0xFA):
                if self.session is None:
                    return sw(0x6985)
                if len(data) != 8:
                    return sw(0x6700)
                key, factor = self.session
                return sw(0x9000, cryptogram(key, factor, data))
            if cla not in (0x00, 0x80, 0xBF):
                return sw(0x6E00)
            return sw(0x6D00)
