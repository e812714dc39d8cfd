"""Host side of RKSSSE external authentication through a PSAM (reference §5.3, SPEC-P9).

Test PSAM command set (implemented by :mod:`hardware.simulator.psam`, modelled on SPEC-P9):

=====================  ===========================================  ==========================================
Command                APDU                                         Answer
=====================  ===========================================  ==========================================
Terminal number        ``00 B0 96 00 06`` (READ BINARY, SFI 16h)   6-byte terminal id, 9000 (also the probe)
DELIVERY SESSION KEY   ``BF DE 07 0A 21 alg(1) prov(8) city(8)``    9000; 6A88 no such key; 6A81 algorithm
                       ``card(8) session-factor(8)``                not supported; 6700 bad Lc
CIPHER DATA            ``80 FA 00 00 08 <8 bytes> 08``              8-byte cryptogram, 9000; 6985 no session
=====================  ===========================================  ==========================================

P1 ``07`` is the RKSSSE key category and P2 ``0A`` the key identifier (SC-TERM app. B). The factors are:
province = ASCII(first 2 region digits) ∥ ``30 30 30 30 73 68``; city = ASCII(6 region digits) ∥ ``73 78``;
card = ATR historical bytes 6..13; session factor = the card's last GET CHALLENGE (R4).
The PSAM diversifies its root key with the three factors, derives the session key from R4, and CIPHER DATA
enciphers the 8-byte original data R3 (see :mod:`hardware.simulator.crypto` for the arithmetic).
"""

from __future__ import annotations

import os

from hardware.apdu import Channel, Response, build_apdu
from hardware.errors import CardLocked, CardRemoved, HardwareError, PsamError
from hardware.model import historical_bytes

RKSSSE_KEY_ID = 0x0A
RKSSSE_CATEGORY = 0x07
TERMINAL_ID_APDU = bytes.fromhex("00B0960006")


def diversification_factors(region: str, atr: bytes) -> bytes:
    """Province, city and card factors (24 bytes) for a card of ``region`` with ``atr``."""
    hist = historical_bytes(atr)
    card = hist[5:13]
    if len(card) != 8:
        card = card.ljust(8, b"\x00")
    province = region[:2].encode() + b"\x30\x30\x30\x30\x73\x68"
    city = region[:6].encode() + b"\x73\x78"
    return province + city + card


class Psam:
    """A PSAM behind a :class:`Channel`."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._terminal_id: str | None = None

    def _tx(self, apdu: bytes) -> Response:
        try:
            return self.channel.transmit(apdu)
        except CardRemoved as exc:
            raise PsamError(
                "PSAM removed", message_zh="PSAM 卡被拔出。", message_en="The PSAM was removed."
            ) from exc

    def terminal_id(self) -> str:
        """12-hex-digit terminal number of the PSAM.

        Raises:
            PsamError: the card does not answer like a PSAM.
        """
        if self._terminal_id is None:
            resp = self._tx(TERMINAL_ID_APDU)
            if not resp.ok or len(resp.data) != 6:
                raise PsamError("not a PSAM", sw=resp.sw)
            self._terminal_id = resp.data.hex().upper()
        return self._terminal_id

    def external_auth_cryptogram(
        self, algorithm: int, factors: bytes, session_factor: bytes, original: bytes
    ) -> bytes:
        """Have the PSAM compute the RKSSSE cryptogram over ``original``.

        Args:
            algorithm: Card algorithm byte (1 DES, 2 SSF33, 3 SM4).
            factors: 24 bytes from :func:`diversification_factors`.
            session_factor: The card's challenge R4 (8 bytes).
            original: The original data R3 (8 bytes).

        Returns:
            The 8-byte cryptogram.

        Raises:
            PsamError: key missing, algorithm unsupported, or any refusal.
        """
        data = bytes([algorithm]) + factors + session_factor
        resp = self._tx(build_apdu(0xBF, 0xDE, RKSSSE_CATEGORY, RKSSSE_KEY_ID, data))
        if resp.sw == 0x6A81:
            raise PsamError(
                "algorithm",
                sw=resp.sw,
                message_zh="PSAM 不支持此卡的算法。",
                message_en="The PSAM lacks this card's algorithm.",
            )
        if resp.sw == 0x6A88:
            raise PsamError(
                "key",
                sw=resp.sw,
                message_zh="PSAM 缺少读取密钥 RKSSSE。",
                message_en="The PSAM lacks the RKSSSE key.",
            )
        if not resp.ok:
            raise PsamError("DELIVERY SESSION KEY", sw=resp.sw)
        resp = self._tx(build_apdu(0x80, 0xFA, 0x00, 0x00, original, le=8))
        if not resp.ok or len(resp.data) != 8:
            raise PsamError("CIPHER DATA", sw=resp.sw)
        return resp.data


def external_authenticate(card: Channel, psam: Psam, algorithm: int, region: str) -> None:
    """Run RKSSSE external authentication on ``card`` (SSSE selected) with ``psam``.

    Only a cryptogram computed by the PSAM is ever sent. One GET CHALLENGE (R4, the session factor);
    the original data R3 is a host random (the card recomputes over the R3 it is given).

    Raises:
        PsamError: the PSAM refused, or the card rejected the cryptogram (63Cx; one try was used).
        CardLocked: the card's key is blocked (6983).
        CardRemoved: the user card was pulled.
    """
    resp = card.transmit(build_apdu(0x00, 0x84, 0x00, 0x00, le=8))
    if resp.sw in (0x6983, 0x9303):
        raise CardLocked("GET CHALLENGE", sw=resp.sw)
    if not resp.ok or len(resp.data) != 8:
        raise PsamError("GET CHALLENGE refused", sw=resp.sw)
    r4 = resp.data
    r3 = os.urandom(8)
    factors = diversification_factors(region, card.atr)
    x = psam.external_auth_cryptogram(algorithm, factors, r4, r3)
    resp = card.transmit(build_apdu(0x00, 0x82, 0x00, RKSSSE_KEY_ID, x + r3))
    if resp.ok:
        return
    if resp.sw == 0x6983:
        raise CardLocked("RKSSSE blocked", sw=resp.sw)
    if resp.sw >> 4 == 0x63C:
        raise PsamError(
            "card rejected cryptogram",
            sw=resp.sw,
            message_zh=f"卡片拒绝 PSAM 认证（剩余 {resp.sw & 0xF} 次），请检查 PSAM 是否属于本地区。",
            message_en=f"The card rejected the PSAM authentication ({resp.sw & 0xF} tries left); check the PSAM's region.",
        )
    raise PsamError("EXTERNAL AUTHENTICATE", sw=resp.sw)


__all__ = ["Psam", "diversification_factors", "external_authenticate", "HardwareError"]
