"""The one transmit wrapper: 61xx / 6Cxx whatever the reader passes up; masked logging."""

from __future__ import annotations

import logging

import pytest

from hardware.apdu import Channel, Transport, mask_apdu
from hardware.errors import CardLocked, UnreadableData
from hardware.simulator import USER_SLOT, SimulatedReader


class Scripted(Transport):
    reader_name = "scripted"

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent: list[bytes] = []

    @property
    def atr(self) -> bytes:
        return b"\x3b\x00"

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        return self.answers.pop(0)

    def close(self) -> None:
        pass


def test_61xx_chained_get_response():
    t = Scripted([(b"", 0x6104), (b"ABCD", 0x6102), (b"EF", 0x9000)])
    resp = Channel(t).transmit(bytes.fromhex("00A404000102"))
    assert (resp.data, resp.sw) == (b"ABCDEF", 0x9000)
    assert t.sent[1:] == [bytes.fromhex("00C0000004"), bytes.fromhex("00C0000002")]


def test_6cxx_resends_same_command_with_le():
    t = Scripted([(b"", 0x6C0B), (b"x" * 11, 0x9000)])
    ch = Channel(t)
    assert ch.transmit(bytes.fromhex("00B2070400")).data == b"x" * 11
    assert t.sent[1] == bytes.fromhex("00B207040B")
    t2 = Scripted([(b"", 0x6C08), (b"y" * 8, 0x9000)])
    Channel(t2).transmit(bytes.fromhex("80A800000283000000"))
    assert t2.sent[1] == bytes.fromhex("80A80000028300" + "08")
    assert ch.count == 2


def test_endless_procedure_bytes_and_locked():
    with pytest.raises(UnreadableData):
        Channel(Scripted([(b"", 0x6C05)] * 20)).transmit(bytes.fromhex("00B2010400"))
    with pytest.raises(CardLocked):
        Channel(Scripted([(b"", 0x9303)])).transmit_ok(bytes.fromhex("00A4040000"), what="x")


def test_logging_masks_personal_data(caplog):
    assert mask_apdu(bytes.fromhex("0082000A10" + "11" * 16)) == "00 82 00 0A 10 <16 bytes>"
    with caplog.at_level(logging.DEBUG, logger="hardware.apdu"):
        SimulatedReader.with_card("v2").read_card(USER_SLOT)
    text = caplog.text
    assert "B2" in text
    for secret in ("460100199001010019", "343630313030", "B2E2CAD4", "测试", "6234560000000000001"):
        assert secret not in text
