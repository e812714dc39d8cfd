"""Hypothesis fuzz of the parsers: whatever a card answers, read_card returns a CardData or raises a
HardwareError subclass — never anything else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.apdu import Channel, Transport
from hardware.bank import read_pan
from hardware.codec import decode_bcd, decode_date, decode_text, find_all_tlv, simple_tlv
from hardware.errors import HardwareError, UnreadableData
from hardware.model import CardData, historical_bytes
from hardware.psam import Psam
from hardware.reading import read_from_channel
from hardware.simulator import load_profile, make_card, merge_profile
from hardware.simulator.psam import SimulatedPsam

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWS = st.sampled_from(
    [
        0x9000,
        0x6A82,
        0x6A83,
        0x6982,
        0x6A81,
        0x9303,
        0x6983,
        0x6700,
        0x63C1,
        0x6D00,
        0x6C05,
        0x6100,
        0x6110,
        0x6C00,
        0x6F00,
    ]
) | st.integers(0, 0xFFFF)


class ScriptedTransport(Transport):
    """Answers from a list; after it runs out, repeats the last answer."""

    reader_name = "fuzz"

    def __init__(
        self,
        answers: list[tuple[bytes, int]],
        atr: bytes = bytes.fromhex("3B6D000000814A44468660460100001234"),
    ):
        self.answers = answers
        self._atr = atr
        self.i = 0

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        answer = self.answers[min(self.i, len(self.answers) - 1)]
        self.i += 1
        return answer

    def close(self) -> None:
        pass


class CorruptingTransport(Transport):
    """A simulated card whose k-th answer is replaced / truncated."""

    reader_name = "fuzz"

    def __init__(self, card, k: int, mutate):
        self.card, self.k, self.mutate, self.i = card, k, mutate, 0

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        out = self.card.process(apdu)
        if self.i == self.k:
            out = self.mutate(out)
        self.i += 1
        if len(out) < 2:
            out = out + b"\x90\x00"
        return out[:-2], int.from_bytes(out[-2:], "big")

    def close(self) -> None:
        pass


def _read(transport: Transport, psam: Psam | None = None) -> None:
    try:
        result = read_from_channel(Channel(transport), psam_provider=lambda: psam)
    except HardwareError:
        return
    assert isinstance(result, CardData)


@FUZZ
@given(st.binary(max_size=64))
def test_decoders_only_raise_unreadable(data):
    for fn in (decode_bcd, decode_text, decode_date, historical_bytes):
        try:
            fn(data)
        except UnreadableData:
            pass
    for tag in (0x01, 0x5A):
        try:
            simple_tlv(data, tag)
            find_all_tlv(data, tag)
        except UnreadableData:
            pass


@FUZZ
@given(st.lists(st.tuples(st.binary(max_size=40), SWS), min_size=1, max_size=30))
def test_random_answers(answers):
    _read(ScriptedTransport(answers))


@FUZZ
@given(st.lists(st.tuples(st.binary(max_size=40), SWS), min_size=1, max_size=12))
def test_random_bank_answers(answers):
    try:
        read_pan(Channel(ScriptedTransport(answers)))
    except HardwareError:
        pass


@FUZZ
@given(
    profile=st.sampled_from(["v2", "v3", "v3_t0", "long_name", "expired"]),
    k=st.integers(0, 24),
    how=st.sampled_from(["truncate", "drop_sw", "random", "sw"]),
    cut=st.integers(0, 40),
    junk=st.binary(max_size=40),
    sw=SWS,
)
def test_corrupted_answer_from_a_real_profile(profile, k, how, cut, junk, sw):
    def mutate(out: bytes) -> bytes:
        if how == "truncate":
            return out[: max(0, len(out) - 2 - cut)] + out[-2:]
        if how == "drop_sw":
            return out[:cut]
        if how == "random":
            return junk + out[-2:]
        return out[:-2] + sw.to_bytes(2, "big")

    card = make_card(load_profile(profile))
    psam = Psam(Channel(_SimPsamTransport())) if profile.startswith("v3") else None
    _read(CorruptingTransport(card, k, mutate), psam)


@FUZZ
@given(
    tag=st.sampled_from(["01", "02", "03", "05", "06", "07"]),
    value=st.binary(max_size=20),
    tag6=st.sampled_from(["08", "09", "4E", "0A", "0B", "0C", "0D"]),
    value6=st.binary(max_size=32),
)
def test_wrong_record_contents(tag, value, tag6, value6):
    profile = merge_profile(
        load_profile("v2"), {"raw": {"EF05": {tag: value.hex()}, "EF06": {tag6: value6.hex()}}}
    )
    try:
        card = make_card(profile)
    except ValueError:
        return
    _read(CorruptingTransport(card, -1, lambda o: o))


class _SimPsamTransport(Transport):
    reader_name = "psam"

    def __init__(self) -> None:
        self.psam = SimulatedPsam(load_profile("psam"))

    @property
    def atr(self) -> bytes:
        return self.psam.atr

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        out = self.psam.process(apdu)
        return out[:-2], int.from_bytes(out[-2:], "big")

    def close(self) -> None:
        pass


@FUZZ
@given(
    profile=st.sampled_from(["v2", "v3", "v3_t0", "bank_only", "locked", "psam"]),
    apdus=st.lists(
        st.one_of(
            st.binary(max_size=40),
            st.builds(
                lambda cla, ins, p1, p2, body, le: bytes([cla, ins, p1, p2]) + body + le,
                st.sampled_from([0x00, 0x80, 0x84, 0xBF, 0xA0]),
                st.sampled_from([0xA4, 0xB2, 0xB0, 0x84, 0x88, 0x82, 0x20, 0xC0, 0xA8, 0xDE, 0xFA, 0xCA]),
                st.integers(0, 255),
                st.integers(0, 255),
                st.binary(max_size=34).map(lambda b: bytes([len(b)]) + b if b else b""),
                st.sampled_from([b"", b"\x00", b"\x08", b"\x12"]),
            ),
        ),
        max_size=20,
    ),
)
def test_simulated_cards_answer_any_apdu_with_a_status_word(profile, apdus):
    card = make_card(load_profile(profile))
    for apdu in apdus:
        out = card.process(apdu)
        assert len(out) >= 2
