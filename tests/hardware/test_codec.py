"""Codecs and check digits (reference §4, §7)."""

from __future__ import annotations

import datetime as dt

import pytest

from hardware.codec import (
    card_number_ok,
    decode_bcd,
    decode_date,
    decode_text,
    encode_bcd,
    encode_text,
    find_tlv,
    luhn_ok,
    region_code_ok,
    simple_tlv,
    ssn_check_ok,
)
from hardware.errors import UnreadableData
from hardware.model import historical_bytes


def test_bcd_f_padding_round_trip():
    assert encode_bcd("6234560000000000001") == bytes.fromhex("6234560000000000001F")
    assert decode_bcd(bytes.fromhex("6234560000000000001F")) == "6234560000000000001"
    assert decode_bcd(bytes.fromhex("460100FF")) == "460100"
    with pytest.raises(UnreadableData):
        decode_bcd(b"\x4a\x01")
    with pytest.raises(UnreadableData):
        decode_bcd(b"\xf1")


def test_gb18030_text_exact():
    raw = bytes.fromhex("B2E2CAD4") + b"\x00" * 26
    assert decode_text(raw) == "测试"
    assert encode_text("测试", 30) == raw
    assert decode_text("䶮".encode("gb18030")) == "䶮"  # 4-byte GB18030 character
    with pytest.raises(UnreadableData):
        decode_text(b"\x81")
    with pytest.raises(UnreadableData):
        decode_text(b"A\x00B")


def test_dates():
    assert decode_date(bytes.fromhex("20230601")) == dt.date(2023, 6, 1)
    for bad in ("20231301", "2023060", "FFFFFFFF"):
        with pytest.raises(UnreadableData):
            decode_date(bytes.fromhex(bad.ljust(8, "F")))


@pytest.mark.parametrize(
    ("ssn", "ok"),
    [
        ("460100199001010019", True),
        ("460100199001010027", True),
        ("460100199001010018", False),
        ("46900119700101006X", True),
        ("82000019920202008X", True),
        ("DEU460100198507070", False),
    ],
)
def test_ssn_mod11_2(ssn, ok):
    assert ssn_check_ok(ssn) is ok


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("D2143569X", True),
        ("X00000019", True),
        ("A00000011", True),
        ("T00012344", True),
        ("AI666666X", False),
        ("A0000001", False),
        ("a00000011", True),
        ("A0000001?", False),
    ],
)
def test_card_number_check(number, ok):
    assert card_number_ok(number) is ok


def test_luhn_and_region():
    assert luhn_ok("6234560000000000001")
    assert luhn_ok("6210000000000000009")
    assert not luhn_ok("6234560000000000002")
    assert region_code_ok("460100")
    assert not region_code_ok("990100")
    assert not region_code_ok("46010")


def test_tlv():
    assert simple_tlv(b"\x07\x02AB", 0x07) == b"AB"
    for bad in (b"\x07", b"\x08\x01A", b"\x07\x03AB"):
        with pytest.raises(UnreadableData):
            simple_tlv(bad, 0x07)
    fci = bytes.fromhex("6F1C840F7378312E73682EC9E7BBE1B1A3D5CFA50988011E9F0C03860103")
    assert find_tlv(find_tlv(fci, 0x9F0C) or b"", 0x86) == b"\x03"
    with pytest.raises(UnreadableData):
        find_tlv(fci[:-1], 0x86)


def test_historical_bytes():
    assert (
        historical_bytes(bytes.fromhex("3B6D000000814A44468660460100001234")).hex()
        == "00814a44468660460100001234"
    )
    contactless = bytes.fromhex("3B8D800100815 44C96868451 01C0666779E9".replace(" ", ""))
    assert historical_bytes(contactless).hex().upper() == "0081544C96868451 01C0666779".replace(" ", "")
