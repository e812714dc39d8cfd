"""APDU transport: the one transmit wrapper that handles ``61xx`` / ``6Cxx`` and masks what it logs.

A backend (PC/SC, the in-process simulator) provides a :class:`Transport`; everything above talks to a
:class:`Channel`, which counts APDUs and turns T=0 procedure status words into plain answers whatever the
reader passes up (reference §2.3, §5.6).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from hardware.errors import CardLocked, UnreadableData

log = logging.getLogger("hardware.apdu")

SW_OK = 0x9000
#: Status words meaning "card or application locked".
LOCKED_SWS = frozenset({0x6A81, 0x9303, 0x6983})

#: Commands whose response data carries no personal data and may be logged in clear.
_CLEAR_INS = frozenset({0xA4})


@dataclass(frozen=True, slots=True)
class Response:
    """A card answer: data and status word."""

    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


class Transport(ABC):
    """One connection to one card, as provided by a backend.

    Implementations raise :class:`~hardware.errors.CardRemoved` when the card goes away,
    :class:`~hardware.errors.ReaderBusy` / :class:`~hardware.errors.ReaderServiceUnavailable` as fits.
    """

    reader_name: str

    @property
    @abstractmethod
    def atr(self) -> bytes:
        """The card's ATR (as given by the reader at connect)."""

    @abstractmethod
    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU exactly as given.

        Args:
            apdu: The command bytes (CLA INS P1 P2 [Lc data] [Le]).

        Returns:
            ``(data, sw)`` with ``sw`` as an int (e.g. ``0x9000``).

        Raises:
            CardRemoved: the card was removed or lost contact.
            ReaderBusy: another program interfered.
            ReaderServiceUnavailable: the PC/SC service went away.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the card (leave it powered for others). Never raises."""

    def alive(self) -> bool:
        """True while the same card is still connected (no APDU sent). Default: True."""
        return True


def build_apdu(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """Short APDU from parts (``le=0`` means Le byte ``00``; ``None`` means no Le)."""
    apdu = bytes([cla, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        apdu += bytes([le & 0xFF])
    return apdu


def _with_le(apdu: bytes, le: int) -> bytes:
    """Same command with Le replaced (or appended)."""
    header = apdu[:4]
    if len(apdu) <= 5:
        return header + bytes([le])
    lc = apdu[4]
    body = apdu[5 : 5 + lc]
    return header + bytes([lc]) + body + bytes([le])


def mask_apdu(apdu: bytes) -> str:
    """Header and lengths only; the data of any command except SELECT is hidden."""
    if apdu[1:2] and apdu[1] in _CLEAR_INS:
        return apdu.hex(" ").upper()
    head = apdu[:5].hex(" ").upper()
    extra = len(apdu) - 5
    return head + (f" <{extra} bytes>" if extra > 0 else "")


class Channel:
    """The transmit wrapper every read goes through.

    ``transmit`` resolves ``61xx`` (GET RESPONSE, possibly chained) and ``6Cxx`` (re-send with Le = xx),
    counts every APDU actually sent (``count``) and logs headers and SWs only.
    """

    MAX_ROUNDS = 16

    def __init__(self, transport: Transport, *, cla: int = 0x00) -> None:
        self.transport = transport
        self.cla = cla
        self.count = 0
        self._debug = log.isEnabledFor(logging.DEBUG)

    @property
    def atr(self) -> bytes:
        return self.transport.atr

    def _send(self, apdu: bytes) -> tuple[bytes, int]:
        self.count += 1
        data, sw = self.transport.transmit_raw(apdu)
        if self._debug:
            log.debug("%s > %s < %d bytes %04X", self.transport.reader_name, mask_apdu(apdu), len(data), sw)
        return data, sw

    def transmit(self, apdu: bytes) -> Response:
        """Send ``apdu``; follow 61xx/6Cxx until a final status word.

        Returns:
            The final :class:`Response` (data accumulated over GET RESPONSE rounds).

        Raises:
            UnreadableData: the card loops on procedure bytes.
            CardRemoved, ReaderBusy, ReaderServiceUnavailable: from the transport.
        """
        if len(apdu) < 4:
            raise ValueError("APDU too short")
        data, sw = self._send(apdu)
        if (sw >> 8) not in (0x61, 0x6C):  # fast path: a final answer at once
            return Response(data, sw)
        acc = b""
        current = apdu
        for _ in range(self.MAX_ROUNDS):
            if sw >> 8 == 0x61:
                acc += data
                current = bytes([self.cla, 0xC0, 0x00, 0x00, sw & 0xFF])
            else:
                current = _with_le(current, sw & 0xFF)
            data, sw = self._send(current)
            if (sw >> 8) not in (0x61, 0x6C):
                return Response(acc + data, sw)
        raise UnreadableData("card keeps answering with procedure bytes")

    def transmit_ok(self, apdu: bytes, *, what: str) -> bytes:
        """Transmit and demand 9000; locked SWs raise CardLocked, others UnreadableData."""
        resp = self.transmit(apdu)
        if resp.sw == SW_OK:
            return resp.data
        if resp.sw in LOCKED_SWS:
            raise CardLocked(what, sw=resp.sw, reader=self.transport.reader_name)
        raise UnreadableData(what, sw=resp.sw, reader=self.transport.reader_name)
