"""The simulated card behaves like the reference card, refusals and retry counters included."""

from __future__ import annotations

import pytest

from hardware.simulator import build_profile, load_profile, make_card
from hardware.simulator.crypto import cryptogram
from hardware.simulator.psam import SimulatedPsam

SELECT_SSSE = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"


def run(card, hexapdu: str) -> tuple[bytes, str]:
    out = card.process(bytes.fromhex(hexapdu.replace(" ", "")))
    return out[:-2], out[-2:].hex().upper()


@pytest.fixture
def v2():
    return make_card(load_profile("v2"))


@pytest.fixture
def v3():
    return make_card(load_profile("v3"))


def test_ssse_fci_is_exactly_the_reference_bytes(v3):
    data, sw = run(v3, SELECT_SSSE)
    assert sw == "9000"
    assert data.hex().upper() == "6F1C840F7378312E73682EC9E7BBE1B1A3D5CFA50988011E9F0C03860103"


def test_select_forms_and_refusals(v2):
    assert run(v2, "00A4040007A0000000000000")[1] == "6A82"
    run(v2, SELECT_SSSE)
    assert run(v2, "00A4020002EF05") == (b"", "9000")
    assert run(v2, "00A4000002EF06") == (b"", "9000")
    assert run(v2, "00A4020002EF99")[1] == "6A82"
    assert run(v2, "00A4000000")[1] == "9000"  # MF
    assert run(v2, "00A40004" + SELECT_SSSE[8:])[1] == "6A86"


def test_read_record_modes_and_status_words(v2):
    assert run(v2, "00B2010012")[1] == "6986"  # no current EF
    run(v2, SELECT_SSSE)
    assert run(v2, "00B2010012")[1] == "6986"
    run(v2, "00A4020002EF05")
    data, sw = run(v2, "00B2010012")  # identifier 01 in current EF
    assert sw == "9000"
    assert data[:2] == b"\x01\x10"
    assert run(v2, "00B2070400")[1] == "6C0B"  # Le=00 -> 6Cxx
    assert run(v2, "00B2070405")[1] == "6C0B"  # wrong Le -> 6Cxx
    assert run(v2, "00B207040B")[0][2:] == b"A00000011"  # record number 7
    assert run(v2, "00B2070000")[1] == "6C0B"
    assert run(v2, "00B2EE0003")[1] == "6A83"
    assert run(v2, "00B2090003")[1] == "6A83"  # tag 09 is not in EF05
    data, sw = run(v2, "00B2082814")  # SFI 5 form: no record 08 in EF05
    assert sw == "6A83"
    data, sw = run(v2, "00B2083014")  # SFI 6, identifier 08 (SSN)
    assert (sw, data[2:]) == ("9000", b"460100199001010019")
    assert run(v2, "00B2013814")[1] == "6981"  # SFI 7 is transparent


def test_protected_ef06_and_binary_files(v3):
    run(v3, SELECT_SSSE)
    assert run(v3, "00B2083014")[1] == "6982"
    assert run(v3, "00B0870010")[1] == "6982"
    assert run(v3, "00B2012814")[1] == "6C12"  # EF05 stays free


def test_external_authenticate_countdown_then_blocked_and_counted(v3):
    run(v3, SELECT_SSSE)
    for expected in ("63C2", "63C1", "6983"):
        run(v3, "0084000008")
        assert run(v3, "0082000A10" + "00" * 16)[1] == expected
    assert v3.counters.decrements == 3
    assert v3.counters.ext_auth == 0
    run(v3, "0084000008")
    assert run(v3, "0082000A10" + "00" * 16)[1] == "6983"
    assert v3.counters.decrements == 3


def test_external_authenticate_with_right_cryptogram_opens_ef06(v3):
    run(v3, SELECT_SSSE)
    challenge, sw = run(v3, "0084000008")
    r3 = bytes(range(8))
    x = cryptogram(v3.card_key, challenge, r3)
    assert run(v3, "0082000A10" + (x + r3).hex())[1] == "9000"
    assert run(v3, "00B2083014")[1] == "9000"
    run(v3, SELECT_SSSE)  # reselect clears the authentication
    assert run(v3, "00B2083014")[1] == "6982"


def test_auth_refusals(v3):
    run(v3, SELECT_SSSE)
    assert run(v3, "0082000A10" + "00" * 16)[1] == "6984"  # no challenge
    assert run(v3, "0082000110" + "00" * 16)[1] == "6A88"  # unknown key
    assert run(v3, "0082000A05" + "00" * 5)[1] == "6700"
    assert run(v3, "0084000005")[1] == "6700"
    data, sw = run(v3, "0088000010" + "11" * 16)
    assert sw == "9000"
    assert len(data) == 8


def test_verify_counts_and_blocks(v2):
    assert run(v2, "0020000000")[1] == "63C3"
    assert run(v2, "0020000003123456")[1] == "9000"
    assert run(v2, "0020000003999999")[1] == "63C2"
    assert run(v2, "0020000003999999")[1] == "63C1"
    assert run(v2, "0020000003999999")[1] == "6983"
    assert v2.counters.decrements == 3


def test_unknown_ins_and_cla(v2):
    assert run(v2, "00CA000000")[1] == "6D00"
    assert run(v2, "A0A4000000")[1] == "6E00"
    assert run(v2, "00A4")[1] == "6700"
    assert run(v2, "00A404000F00")[1] == "6700"  # Lc says 15, 1 byte given


def test_t0_mode_get_response():
    card = make_card(load_profile("v3_t0"))
    data, sw = run(card, SELECT_SSSE)
    assert (data, sw) == (b"", "611E")
    data, sw = run(card, "00C0000010")
    assert sw == "610E"
    assert len(data) == 16
    data, sw = run(card, "00C000000E")
    assert sw == "9000"
    assert data[-3:] == b"\x86\x01\x03"
    assert run(card, "00C0000010")[1] == "6985"


@pytest.mark.parametrize(("directory", "gpo_format"), [("pse", 1), ("ppse", 2), ("both", 1)])
def test_bank_application(directory, gpo_format):
    card = make_card(
        build_profile(
            name="x",
            ssn="460100199001010019",
            pan="6234560000000000001",
            bank={"directory": directory, "gpo_format": gpo_format},
        )
    )
    name = "315041592E5359532E4444463031" if directory != "ppse" else "325041592E5359532E4444463031"
    data, sw = run(card, "00A404000E" + name + "00")
    assert sw == "9000"
    assert data[0] == 0x6F
    data, sw = run(card, "00A4040008A00000033301010100")
    assert sw == "9000"
    assert b"PBOC DEBIT" in data
    data, sw = run(card, "80A800000B8309" + "00" * 7 + "0156" + "00")
    assert sw == "9000"
    assert data[0] == (0x80 if gpo_format == 1 else 0x77)
    assert run(card, "00B2011400")[1].startswith("6C")
    rec = run(card, "00B20114" + run(card, "00B2011400")[1][2:])[0]
    assert bytes.fromhex("5A0A6234560000000000001F") in rec


def test_psam_commands():
    psam = SimulatedPsam(load_profile("psam"))
    assert run(psam, "00B0960006") == (bytes.fromhex("460100000001"), "9000")
    assert run(psam, "80FA00000800000000000000000008")[1] == "6985"
    assert run(psam, "BFDE070A21" + "03" + "00" * 32)[1] == "9000"
    data, sw = run(psam, "80FA000008000102030405060708")
    assert sw == "9000"
    assert len(data) == 8
    assert run(psam, "BFDE070A21" + "01" + "00" * 32)[1] == "6A81"
    assert run(psam, "BFDE070B21" + "03" + "00" * 32)[1] == "6A88"
    assert run(psam, SELECT_SSSE)[1] == "6A82"
    assert run(psam, "0084000008")[1] == "6D00"


def test_slow_card_delays():
    import time

    card = make_card(load_profile("slow"))
    start = time.perf_counter()
    run(card, SELECT_SSSE)
    assert time.perf_counter() - start >= 0.035
