"""read_card against the in-process simulator: every profile, both T=0 paths, PSAM rules, APDU economy."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hardware import (
    CardData,
    CardRemoved,
    Generation,
    NoCard,
    NoReader,
    PsamError,
    open_reader,
)
from hardware.simulator import (
    PSAM_SLOT,
    USER_SLOT,
    SimulatedReader,
    build_profile,
    load_profile,
    merge_profile,
)
from tests.support.card_expectations import ERRORS, EXPECTED, WARNINGS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_profile_reads_to_expected_value(name, sim_reader):
    reader = sim_reader(name, psam=name.startswith("v3"))
    data = reader.read_card(USER_SLOT)
    assert isinstance(data, CardData)
    for field, value in EXPECTED[name].items():
        assert getattr(data, field) == value, field
    assert {w.code for w in data.warnings} == WARNINGS.get(name, set())
    assert data.region_code == data.card_id_code[:6]
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("name", "error"), sorted(ERRORS.items()))
def test_profile_gives_right_error(name, error, sim_reader):
    err = pytest.raises(error, sim_reader(name).read_card, USER_SLOT).value
    assert err.message_zh
    assert err.message_en


def test_pulled_card_gives_no_partial_value_and_leaves_slot_empty():
    reader = SimulatedReader.with_card("pulled")
    with pytest.raises(CardRemoved):
        reader.read_card(USER_SLOT)
    assert reader.card() is None
    with pytest.raises(NoCard):
        reader.read_card(USER_SLOT)


def test_third_generation_without_psam_sends_no_auth_and_says_needs_psam(sim_reader):
    reader = sim_reader("v3")
    data = reader.read_card(USER_SLOT)
    card = reader.card()
    assert data.personal_data_status == "needs_psam"
    assert data.name is None
    assert data.ssn is None
    assert data.card_number == "A00000011"
    assert data.pan == "6234560000000000001"
    sent_ins = {apdu[1] for apdu in card.counters.log}
    assert not sent_ins & {0x20, 0x82, 0x88, 0x84}  # no VERIFY, no EXTERNAL/INTERNAL AUTH, no challenge
    assert card.counters.decrements == 0
    assert card.counters.ext_auth == 3
    assert card.counters.pin == 3


def test_psam_none_means_never_use_one(sim_reader):
    reader = sim_reader("v3", psam=True)
    assert reader.read_card(USER_SLOT, psam=None).personal_data_status == "needs_psam"
    assert reader.card(PSAM_SLOT).counters.log == []


def test_refused_psam_auth_returns_card_data_and_is_never_retried():
    wrong = merge_profile(load_profile("psam"), {"root_key": "FF" * 16})
    reader = SimulatedReader.with_card("v3", psam=wrong)
    data = reader.read_card(USER_SLOT)
    assert data.personal_data_status == "auth_failed"
    assert data.name is None
    assert data.card_number == "A00000011"
    assert "psam_auth_failed" in {w.code for w in data.warnings}
    assert reader.card().counters.ext_auth == 2  # one try used ...
    for _ in range(3):  # ... and never another, however often the worker presses "read"
        assert reader.read_card(USER_SLOT).personal_data_status == "auth_failed"
    assert reader.card().counters.ext_auth == 2
    assert reader.card().counters.decrements == 1
    reader.remove(PSAM_SLOT)
    reader.insert("psam", PSAM_SLOT)  # a different PSAM (same test terminal id): still remembered
    assert reader.read_card(USER_SLOT).personal_data_status == "auth_failed"
    reader.refused_auth.clear()  # deliberate retry
    assert reader.read_card(USER_SLOT).personal_data_status == "read"
    assert reader.card().counters.ext_auth == 3
    with pytest.raises(PsamError):
        SimulatedReader.with_card("v3", psam=wrong).read_card().require_personal_data()


def test_auto_reader_picks_the_user_card_not_the_psam():
    reader = SimulatedReader(readers=("Reader A", "Reader B"))
    reader.insert("psam", "Reader A")
    reader.insert("v2", "Reader B")
    assert reader.read_card().reader == "Reader B"


def test_no_reader_and_no_card():
    with pytest.raises(NoReader):
        SimulatedReader(readers=()).read_card()
    with pytest.raises(NoCard):
        SimulatedReader().read_card()
    with pytest.raises(NoReader):
        SimulatedReader().read_card("nope")


def test_apdu_plan_has_no_redundant_command(sim_reader):
    reader = sim_reader("v2")
    reader.read_card(USER_SLOT)
    log = reader.card().counters.log
    # one SELECT SSSE, no SELECT EF (SFI addressing), 6 EF05 + 6 EF06 reads (no 4E: short name),
    # SELECT AID, GPO, two AFL records each preceded by its 6Cxx probe (Le=00).
    assert len(log) == 19
    assert len(set(log)) == len(log) - 0  # no command sent twice
    assert not any(a[1] == 0xA4 and a[2] == 0x02 for a in log)


def test_t0_mode_uses_get_response(sim_reader):
    reader = sim_reader("v3_t0", psam=True)
    reader.read_card(USER_SLOT)
    assert any(a[1] == 0xC0 for a in reader.card().counters.log)


def test_build_profile_and_with_card_round_trip():
    profile = build_profile(
        name="王芳", ssn="460100199001010027", card_number="T00012344", generation=3, ethnicity="06"
    )
    data = SimulatedReader.with_card(profile, psam=True).read_card()
    assert (data.name, data.ssn, data.sex, data.ethnicity, data.birth_date) == (
        "王芳",
        "460100199001010027",
        "2",
        "06",
        dt.date(1990, 1, 1),
    )
    assert data.generation is Generation.THIRD
    assert data.warnings == ()


def test_factory_simulator_and_unknown_kind():
    reader = open_reader("simulator", profile="v2")
    assert reader.kind == "simulator"
    assert reader.read_card().name == "测试"
    with pytest.raises(ValueError, match="unknown"):
        open_reader("carrier-pigeon")  # type: ignore[arg-type]


def test_masking_and_json():
    data = SimulatedReader.with_card("v2").read_card().masked()
    assert (data.name, data.ssn, data.pan) == ("测*", "4601************19", "623456*********0001")
    d = data.to_dict()
    assert d["issue_date"] == "2019-06-01"
    assert d["generation"] == "2"
    assert d["atr"].startswith("3B6D")
    latin = SimulatedReader.with_card("foreigner").read_card().masked()
    assert latin.name == "M****** A***"


def test_removed_by_hand_during_read_is_card_removed(sim_reader):
    reader = sim_reader("v2")
    transport = reader.connect(USER_SLOT)
    reader.remove()
    with pytest.raises(CardRemoved):
        transport.transmit_raw(bytes.fromhex("00A4040000"))


def test_require_personal_data_and_open_watcher():
    import queue

    from hardware import PsamRequired, WatchCallbacks, open_watcher

    reader = SimulatedReader.with_card("v3")
    with pytest.raises(PsamRequired):
        reader.read_card().require_personal_data()
    assert SimulatedReader.with_card("v2").read_card().require_personal_data().name == "测试"
    q: queue.Queue = queue.Queue()
    watcher = open_watcher(WatchCallbacks(on_card_removed=q.put), reader=reader)
    reader.remove()
    assert q.get(timeout=2) == USER_SLOT
    watcher.stop()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sex": "2"}, "sex_mismatch"),
        ({"sex": "7"}, "sex"),
        ({"ethnicity": "57"}, "ethnicity"),
        ({"birthplace": "990000"}, "birthplace"),
        ({"ssn": "460100199001010018"}, "ssn_check"),
        ({"birth_date": dt.date(1991, 1, 1)}, "birth_mismatch"),
        ({"pan": "6234560000000000002"}, "pan_check"),
    ],
)
def test_validation_warnings(changes, code):
    data = SimulatedReader.with_card("v2").read_card()
    assert code in {w.code for w in dataclasses.replace(data, warnings=(), **changes).warnings}


@pytest.mark.parametrize(
    "changes",
    [
        {"card_id_code": "460100D15600000600001234ABCDEF01"},
        {"card_id_code": "990100D15600000500001234ABCDEF01"},
        {"expiry_date": dt.date(2019, 6, 1)},
        {"version": "9.00"},
    ],
)
def test_validation_rejects(changes):
    from hardware import UnreadableData

    data = SimulatedReader.with_card("v2").read_card()
    with pytest.raises(UnreadableData):
        dataclasses.replace(data, **changes)


def test_second_generation_with_protected_ef06_says_needs_psam():
    profile = merge_profile(load_profile("v2"), {"ef06_protected": True})
    reader = SimulatedReader.with_card(profile)
    data = reader.read_card(USER_SLOT)
    assert data.personal_data_status == "needs_psam"
    assert data.ssn is None
    assert reader.card().counters.decrements == 0


@pytest.mark.parametrize(
    ("atr", "directory", "first_dir"),
    [
        ("3B6D000000814A44468660460100001234", "pse", b"1PAY"),
        ("3B8D800100814A44468660460100001234" + "00", "ppse", b"2PAY"),
        ("3B6D000000814A44468660460100001234", "ppse", b"1PAY"),
    ],
)
def test_pan_through_directory_when_the_debit_aid_is_absent(atr, directory, first_dir):
    bank = {"aid": "A000000333010102", "directory": directory, "gpo_format": 1}
    reader = SimulatedReader.with_card(merge_profile(load_profile("v2"), {"atr": atr, "bank": bank}))
    data = reader.read_card(USER_SLOT)
    assert data.pan == "6234560000000000001"
    selects = [a[5:] for a in reader.card().counters.log if a[1] == 0xA4]
    assert selects[1].startswith(bytes.fromhex("A000000333010101"))  # direct try first
    assert selects[2].startswith(first_dir)  # contact ATR: PSE first; contactless: PPSE first
