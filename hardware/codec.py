"""Byte-level codecs and check digits for social security card data (reference §4, §7).

Decoders raise :class:`~hardware.errors.UnreadableData` on malformed input; they never raise anything else.
Encoders are used by the simulator so that tests cover both directions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hardware.errors import UnreadableData

# --- BCD (cn: left-aligned, right-padded with nibble F) ------------------------------------------


def decode_bcd(data: bytes, *, what: str = "BCD") -> str:
    """Decode compressed-numeric bytes, dropping trailing ``F`` padding nibbles.

    Raises:
        UnreadableData: a nibble A-E appears, or a digit follows an ``F`` pad nibble.
    """
    digits = data.hex().upper()
    stripped = digits.rstrip("F")
    if not stripped.isdigit() and stripped != "":
        raise UnreadableData(f"{what}: not BCD")
    return stripped


def encode_bcd(digits: str, length: int | None = None) -> bytes:
    """Encode decimal digits as BCD, right-padding with ``F`` (to ``length`` bytes if given)."""
    if not digits.isdigit() and digits != "":
        raise ValueError(f"not digits: {digits!r}")
    text = digits + ("F" if len(digits) % 2 else "")
    raw = bytes.fromhex(text)
    if length is not None:
        if len(raw) > length:
            raise ValueError("value too long")
        raw += b"\xff" * (length - len(raw))
    return raw


def decode_hex_code(data: bytes) -> str:
    """Card identification code: 16 bytes shown as 32 upper-case hex digits (contains RID ``D156000005``)."""
    return data.hex().upper()


# --- text (an: left-aligned, right-padded with 00) ------------------------------------------------


def decode_text(data: bytes, *, what: str = "text") -> str:
    """Decode GBK/GB18030 text padded with ``00`` (and possibly spaces).

    Raises:
        UnreadableData: the bytes are not valid GB18030, or a NUL sits inside the text.
    """
    body = data.rstrip(b"\x00")
    if b"\x00" in body:
        raise UnreadableData(f"{what}: embedded NUL")
    try:
        return body.decode("gb18030").strip()
    except UnicodeDecodeError as exc:
        raise UnreadableData(f"{what}: not GB18030") from exc


def encode_text(text: str, length: int) -> bytes:
    """Encode text in GB18030 and pad with ``00`` to ``length`` bytes."""
    raw = text.encode("gb18030")
    if len(raw) > length:
        raise ValueError("text too long")
    return raw + b"\x00" * (length - len(raw))


def decode_date(data: bytes, *, what: str = "date") -> dt.date:
    """Decode a BCD ``YYYYMMDD`` date.

    Raises:
        UnreadableData: not 8 BCD digits or not a calendar date.
    """
    digits = decode_bcd(data, what=what)
    if len(digits) != 8:
        raise UnreadableData(f"{what}: expected YYYYMMDD")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise UnreadableData(f"{what}: not a date") from exc


def encode_date(value: dt.date) -> bytes:
    """Encode a date as 4 BCD bytes ``YYYYMMDD``."""
    return encode_bcd(value.strftime("%Y%m%d"))


# --- TLV ------------------------------------------------------------------------------------------


def simple_tlv(record: bytes, expected_tag: int) -> bytes:
    """Value of a one-byte-tag, one-byte-length record (SSSE records, §4.1).

    Raises:
        UnreadableData: wrong tag, truncated or over-long record.
    """
    if len(record) < 2:
        raise UnreadableData("record too short")
    if record[0] != expected_tag:
        raise UnreadableData(f"record tag {record[0]:02X} != {expected_tag:02X}")
    length = record[1]
    if len(record) != 2 + length:
        raise UnreadableData(f"record {expected_tag:02X}: length {length} does not match {len(record) - 2}")
    return record[2:]


def ber_tlv(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """Iterate BER-TLV objects at one level: ``(tag, value, constructed)``.

    Raises:
        UnreadableData: truncated tag, length or value.
    """
    i, n = 0, len(data)
    while i < n:
        if data[i] in (0x00, 0xFF):  # padding between objects
            i += 1
            continue
        start = i
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                if i >= n:
                    raise UnreadableData("truncated TLV tag")
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
                if i - start > 4:
                    raise UnreadableData("TLV tag too long")
        if i >= n:
            raise UnreadableData("truncated TLV length")
        length = data[i]
        i += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or i + count > n:
                raise UnreadableData("bad TLV length")
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + length > n:
            raise UnreadableData("truncated TLV value")
        first = data[start]
        yield tag, data[i : i + length], bool(first & 0x20)
        i += length


def find_tlv(data: bytes, wanted: int, *, depth: int = 6) -> bytes | None:
    """Depth-first search for the first object with tag ``wanted`` (raises UnreadableData on bad TLV)."""
    for tag, value, constructed in ber_tlv(data):
        if tag == wanted:
            return value
        if constructed and depth > 0:
            found = find_tlv(value, wanted, depth=depth - 1)
            if found is not None:
                return found
    return None


def find_all_tlv(data: bytes, wanted: int, *, depth: int = 6) -> list[bytes]:
    """All objects with tag ``wanted``, depth-first."""
    out: list[bytes] = []
    for tag, value, constructed in ber_tlv(data):
        if tag == wanted:
            out.append(value)
        elif constructed and depth > 0:
            out.extend(find_all_tlv(value, wanted, depth=depth - 1))
    return out


# --- check digits (§7) ----------------------------------------------------------------------------

_SSN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CARD_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def mod11_2_check(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 17-digit body (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(body17, _SSN_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def ssn_check_ok(ssn: str) -> bool:
    """True when ``ssn`` is 17 digits plus a correct MOD 11-2 check character."""
    return (
        len(ssn) == 18
        and ssn[:17].isdigit()
        and ssn[17] in "0123456789X"
        and mod11_2_check(ssn[:17]) == ssn[17]
    )


def card_number_check(body8: str) -> str:
    """Check character of a social security card number body (§7.6, GB 11714 style)."""
    values = []
    for ch in body8:
        if ch.isdigit():
            values.append(int(ch))
        elif "A" <= ch <= "Z":
            values.append(ord(ch) - ord("A") + 10)
        else:
            raise ValueError(f"bad card-number character {ch!r}")
    c = 11 - sum(v * w for v, w in zip(values, _CARD_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def card_number_ok(number: str) -> bool:
    """True when the 9-character card number has a correct check character."""
    if len(number) != 9 or not number.isalnum() or not number.isascii():
        return False
    try:
        return card_number_check(number[:8].upper()) == number[8].upper()
    except ValueError:
        return False


_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(pan: str) -> bool:
    """Luhn (ISO/IEC 7812) check of a bank card number."""
    if not pan.isdigit() or len(pan) < 12:
        return False
    digits = [ord(c) - 48 for c in reversed(pan)]
    return (sum(digits[0::2]) + sum(_LUHN_DOUBLE[d] for d in digits[1::2])) % 10 == 0


_PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
}


def region_code_ok(code: str) -> bool:
    """Plausible GB/T 2260 region code: 6 digits whose first two name a province."""
    return len(code) == 6 and code.isdigit() and int(code[:2]) in _PROVINCES
