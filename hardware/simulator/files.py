"""Encode a profile's typed values into the card's files (reference §3, §4, §5.5, §8.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hardware.codec import encode_bcd, encode_date, encode_text

SSSE_NAME = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
PSE = b"1PAY.SYS.DDF01"
PPSE = b"2PAY.SYS.DDF01"
DEBIT_AID = bytes.fromhex("A000000333010101")
RID = "D156000005"


@dataclass
class RecordFile:
    """A variable-length record EF: records are full TLVs (tag | len | value)."""

    fid: int
    sfi: int
    records: list[bytes]
    protected: bool = False


@dataclass
class BinaryFile:
    fid: int
    sfi: int
    data: bytes
    protected: bool = True


@dataclass
class Application:
    """A DF: name (AID), FCI and files."""

    name: bytes
    fci: bytes
    files: list[RecordFile | BinaryFile] = field(default_factory=list)
    gpo: bytes | None = None  # GPO answer (bank ADF only)

    def by_sfi(self, sfi: int) -> RecordFile | BinaryFile | None:
        return next((f for f in self.files if f.sfi == sfi), None)

    def by_fid(self, fid: int) -> RecordFile | BinaryFile | None:
        return next((f for f in self.files if f.fid == fid), None)


def tlv(tag: int, value: bytes) -> bytes:
    """BER-TLV (1- or 2-byte tag, short or 81 long form length)."""
    t = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    length = bytes([n]) if n < 0x80 else bytes([0x81, n])
    return t + length + value


def _date(value: str) -> bytes:
    return encode_date(dt.date.fromisoformat(value))


def _rec(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def ef05_records(ef05: dict[str, Any], raw: dict[str, str]) -> list[bytes]:
    code = ef05.get("card_id_code") or (
        ef05.get("region", "460100")
        + RID
        + ef05.get("serial", "00001234")
        + ef05.get("auth_code", "ABCDEF01")
    )
    values = {
        0x01: bytes.fromhex(code),
        0x02: encode_text(ef05.get("category", "3"), 1),
        0x03: encode_text(ef05.get("version", "2.00"), 4),
        0x04: encode_bcd(ef05.get("init_org", "915600000246000046010001"), 12),
        0x05: _date(ef05.get("issue_date", "2023-06-01")),
        0x06: _date(ef05.get("expiry_date", "2033-06-01")),
        0x07: encode_text(ef05.get("card_number", ""), 9),
    }
    for tag_hex, value_hex in raw.items():
        values[int(tag_hex, 16)] = bytes.fromhex(value_hex)
    return [_rec(tag, values[tag]) for tag in sorted(values)]


def ef06_records(ef06: dict[str, Any] | None, raw: dict[str, str]) -> list[bytes]:
    if ef06 is None and not raw:
        return []
    ef06 = ef06 or {}
    name = ef06.get("name", "").encode("gb18030")
    if len(name) > 50:
        raise ValueError("name longer than 50 bytes")
    values = {
        0x08: encode_text(ef06.get("ssn", ""), 18),
        0x09: name[:30].ljust(30, b"\x00"),
        0x4E: name[30:].ljust(20, b"\x00"),
        0x0A: encode_text(ef06.get("sex", "9"), 1),
        0x0B: encode_bcd(ef06.get("ethnicity", "01"), 1),
        0x0C: encode_bcd(ef06.get("birthplace", "460100"), 3),
        0x0D: _date(ef06.get("birth_date", "1970-01-01")),
    }
    for tag_hex, value_hex in raw.items():
        values[int(tag_hex, 16)] = bytes.fromhex(value_hex)
    order = (0x08, 0x09, 0x4E, 0x0A, 0x0B, 0x0C, 0x0D)  # record numbers 1..7 (§4.3)
    return [_rec(tag, values[tag]) for tag in order if tag in values] + [
        _rec(t, v) for t, v in values.items() if t not in order
    ]


def ssse_application(profile: dict[str, Any]) -> Application:
    ef05 = profile.get("ef05", {})
    raw = profile.get("raw", {})
    version = ef05.get("version", "2.00")
    protected = bool(profile.get("ef06_protected", version.startswith("3")))
    inner = tlv(0x84, SSSE_NAME) + tlv(
        0xA5, tlv(0x88, b"\x1e") + tlv(0x9F0C, tlv(0x86, bytes([profile.get("algorithm", 3)])))
    )
    return Application(
        name=SSSE_NAME,
        fci=tlv(0x6F, inner),
        files=[
            RecordFile(0xEF05, 5, ef05_records(ef05, raw.get("EF05", {}))),
            RecordFile(
                0xEF06, 6, ef06_records(profile.get("ef06"), raw.get("EF06", {})), protected=protected
            ),
            BinaryFile(0xEF07, 7, bytes(0x300)),
            BinaryFile(0xEF08, 8, b"\xff\xd8\xff\xe0" + bytes(0x100)),
        ],
    )


def bank_applications(bank: dict[str, Any] | None) -> list[Application]:
    """PSE/PPSE directories and the UnionPay debit ADF with its AFL records."""
    if not bank:
        return []
    pan: str = bank["pan"]
    expiry: str = bank.get("expiry", "3306")
    aid = bytes.fromhex(bank.get("aid", DEBIT_AID.hex()))
    entry = tlv(0x61, tlv(0x4F, aid) + tlv(0x50, b"PBOC DEBIT") + tlv(0x87, b"\x01"))
    apps: list[Application] = []
    directory = bank.get("directory", "ppse")
    if directory in ("ppse", "both"):
        apps.append(Application(PPSE, tlv(0x6F, tlv(0x84, PPSE) + tlv(0xA5, tlv(0xBF0C, entry)))))
    if directory in ("pse", "both"):
        pse_fci = tlv(0x6F, tlv(0x84, PSE) + tlv(0xA5, tlv(0x88, b"\x01") + tlv(0x5F2D, b"zh")))
        apps.append(Application(PSE, pse_fci, [RecordFile(0, 1, [tlv(0x70, entry)])]))
    pdol = bytes.fromhex("9F7A019F02065F2A02")
    a5 = tlv(0x50, b"PBOC DEBIT") + tlv(0x87, b"\x01") + tlv(0x9F38, pdol) + tlv(0x5F2D, b"zh")
    fci = tlv(0x6F, tlv(0x84, aid) + tlv(0xA5, a5))
    track2 = bytes.fromhex(pan + "D" + expiry + "2200000000000" + ("F" if (len(pan) + 18) % 2 else ""))
    rec1 = tlv(0x70, tlv(0x57, track2) + tlv(0x5F20, b"/"))
    rec2_body = tlv(0x5F24, bytes.fromhex(expiry + "30")) + tlv(0x5F34, b"\x01")
    if bank.get("pan_tag", "5A") == "5A":
        rec2_body = tlv(0x5A, encode_bcd(pan)) + rec2_body
    afl = bytes.fromhex("0801010010010100")
    aip = b"\x7c\x00"
    gpo = (
        tlv(0x80, aip + afl) if bank.get("gpo_format", 2) == 1 else tlv(0x77, tlv(0x82, aip) + tlv(0x94, afl))
    )
    files: list[RecordFile | BinaryFile] = [
        RecordFile(0, 1, [rec1]),
        RecordFile(0, 2, [tlv(0x70, rec2_body)]),
    ]
    apps.append(Application(aid, fci, files, gpo=gpo))
    return apps
