"""Reading the UnionPay PAN from the card's financial application (reference §5.5).

The UnionPay debit AID is selected directly (one command on co-branded cards); only when it is absent are
the directories consulted: PSE (contact) or PPSE (contactless) first depending on the ATR, then the other.
Records named by the AFL are read until one holds tag 5A; tag 57 (track 2) is the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hardware.apdu import LOCKED_SWS, Channel, build_apdu
from hardware.codec import ber_tlv, decode_bcd, find_all_tlv, find_tlv
from hardware.errors import UnreadableData

PSE = b"1PAY.SYS.DDF01"
PPSE = b"2PAY.SYS.DDF01"
#: UnionPay debit, credit, quasi-credit (tried in this order when no directory is found).
KNOWN_AIDS = (
    bytes.fromhex("A000000333010101"),
    bytes.fromhex("A000000333010102"),
    bytes.fromhex("A000000333010103"),
)
#: Values for PDOL items a terminal must fill (others are zeros): currency/country 0156 (CNY/China).
_PDOL_DEFAULTS = {0x5F2A: b"\x01\x56", 0x9F1A: b"\x01\x56", 0x9F66: b"\x28\x00\x00\x00"}


@dataclass(frozen=True, slots=True)
class BankResult:
    pan: str | None
    source: Literal["5A", "57"] | None
    note: str | None = None  # why no PAN, when there is none


def _select(ch: Channel, name: bytes) -> tuple[bytes | None, int]:
    resp = ch.transmit(build_apdu(0x00, 0xA4, 0x04, 0x00, name, le=0))
    return (resp.data if resp.ok else None), resp.sw


def _pdol_data(pdol: bytes) -> bytes:
    out = b""
    i = 0
    while i < len(pdol):
        tag = pdol[i]
        i += 1
        if tag & 0x1F == 0x1F:
            if i >= len(pdol):
                raise UnreadableData("bad PDOL")
            tag = (tag << 8) | pdol[i]
            i += 1
        if i >= len(pdol):
            raise UnreadableData("bad PDOL")
        length = pdol[i]
        i += 1
        value = _PDOL_DEFAULTS.get(tag, b"")
        out += value[:length].rjust(length, b"\x00")
    return out


def _aids_from_pse(ch: Channel, fci: bytes) -> list[bytes]:
    sfi_raw = find_tlv(fci, 0x88)
    if not sfi_raw:
        return []
    sfi = sfi_raw[0]
    aids: list[bytes] = []
    for rec in range(1, 11):
        resp = ch.transmit(build_apdu(0x00, 0xB2, rec, (sfi << 3) | 4, le=0))
        if not resp.ok:
            break
        aids.extend(find_all_tlv(resp.data, 0x4F))
        if aids:
            break
    return aids


def _directory_aids(ch: Channel) -> list[bytes]:
    """AIDs listed by PPSE (contactless ATR ``3B 8x 80 01``) or PSE (contact), the likelier one first."""
    contactless = (
        ch.atr[:1] == b"\x3b" and ch.atr[1:2] and ch.atr[1] >> 4 == 0x8 and ch.atr[2:4] == b"\x80\x01"
    )
    for name in (PPSE, PSE) if contactless else (PSE, PPSE):
        fci, _sw = _select(ch, name)
        if fci is None:
            continue
        aids = find_all_tlv(fci, 0x4F) if name == PPSE else _aids_from_pse(ch, fci)
        if aids:
            return aids
    return []


def _pan_from_57(track2: bytes) -> str:
    digits = track2.hex().upper()
    if "D" not in digits:
        raise UnreadableData("track 2 without separator")
    pan = digits.split("D", 1)[0]
    if not pan.isdigit():
        raise UnreadableData("track 2 PAN not numeric")
    return pan


def read_pan(ch: Channel) -> BankResult:
    """Find the PAN of the first UnionPay application.

    Returns:
        A :class:`BankResult`; ``pan`` is None when there is no (readable) bank application.

    Raises:
        UnreadableData: a bank answer could not be parsed (the caller may downgrade this to a warning).
        CardRemoved, ReaderBusy, ReaderServiceUnavailable: from the transport.
    """
    afci, sw = _select(ch, KNOWN_AIDS[0])  # the usual co-branded debit app: one command, no directory
    if afci is None and sw in LOCKED_SWS:
        return BankResult(None, None, "bank application locked")
    if afci is None:
        aids = _directory_aids(ch)
        candidates = [a for a in aids if a != KNOWN_AIDS[0]] or ([] if aids else list(KNOWN_AIDS[1:]))
        for aid in candidates:
            afci, sw = _select(ch, aid)
            if afci is not None:
                break
            if sw in LOCKED_SWS:
                return BankResult(None, None, "bank application locked")
        else:
            return BankResult(None, None, "no bank application")
    pdol = find_tlv(afci, 0x9F38) or b""
    data = _pdol_data(pdol)
    resp = ch.transmit(build_apdu(0x80, 0xA8, 0x00, 0x00, bytes([0x83, len(data)]) + data, le=0))
    if not resp.ok:
        return BankResult(None, None, f"GPO refused {resp.sw:04X}")
    objs = list(ber_tlv(resp.data))
    if not objs:
        raise UnreadableData("empty GPO answer")
    tag, value, _ = objs[0]
    if tag == 0x80:
        afl = value[2:]
    elif tag == 0x77:
        afl = find_tlv(value, 0x94) or b""
    else:
        raise UnreadableData("GPO format")
    if len(afl) % 4:
        raise UnreadableData("AFL length")
    track2: bytes | None = None
    for i in range(0, len(afl), 4):
        sfi, first, last = afl[i] >> 3, afl[i + 1], afl[i + 2]
        if not 1 <= sfi <= 30 or first == 0 or last < first:
            raise UnreadableData("AFL entry")
        for rec in range(first, last + 1):
            resp = ch.transmit(build_apdu(0x00, 0xB2, rec, (sfi << 3) | 4, le=0))
            if not resp.ok:
                raise UnreadableData("AFL record", sw=resp.sw)
            pan_raw = find_tlv(resp.data, 0x5A)
            if pan_raw is not None:
                pan = decode_bcd(pan_raw, what="PAN")
                if not 12 <= len(pan) <= 19:
                    raise UnreadableData("PAN length")
                return BankResult(pan, "5A")
            track2 = track2 or find_tlv(resp.data, 0x57)
    if track2 is not None:
        return BankResult(_pan_from_57(track2), "57")
    return BankResult(None, None, "no PAN in AFL records")
