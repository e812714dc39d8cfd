"""Watcher callbacks (simulated backend) and the PSAM / user-card slot rules."""

from __future__ import annotations

import queue

import pytest

from hardware import ReaderRole, RoleRules, WatchCallbacks
from hardware.simulator import SimulatedReader


def _events(q: queue.Queue, n: int) -> list[tuple]:
    return [q.get(timeout=2) for _ in range(n)]


def test_simulated_watcher_reports_readers_and_cards_on_a_thread():
    import threading

    q: queue.Queue = queue.Queue()
    main = threading.get_ident()

    def put(*item):
        assert threading.get_ident() != main
        q.put(item)

    reader = SimulatedReader.with_card("v2")
    callbacks = WatchCallbacks(
        on_reader_added=lambda r: put("reader+", r),
        on_reader_removed=lambda r: put("reader-", r),
        on_card_inserted=lambda r, atr: put("card+", r, atr[:2]),
        on_card_removed=lambda r: put("card-", r),
    )
    with reader.watcher(callbacks) as watcher:
        assert watcher.running
        assert _events(q, 2) == [
            ("reader+", "Simulated Reader 00"),
            ("card+", "Simulated Reader 00", b"\x3b\x6d"),
        ]
        reader.remove()
        reader.insert("v3")
        reader.plug("USB reader")
        reader.unplug("Simulated Reader 00")
        assert _events(q, 5) == [
            ("card-", "Simulated Reader 00"),
            ("card+", "Simulated Reader 00", b"\x3b\x6d"),
            ("reader+", "USB reader"),
            ("card-", "Simulated Reader 00"),
            ("reader-", "Simulated Reader 00"),
        ]
    assert not watcher.running


def test_callback_exception_does_not_kill_the_watcher():
    q: queue.Queue = queue.Queue()
    reader = SimulatedReader()

    def boom(r, atr):
        q.put("called")
        raise RuntimeError("bug in UI code")

    with reader.watcher(
        WatchCallbacks(on_card_inserted=boom, on_card_removed=lambda r: q.put("removed"))
    ) as w:
        reader.insert("v2")
        assert q.get(timeout=2) == "called"
        reader.remove()
        assert q.get(timeout=2) == "removed"
        assert w.running


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Generic USB Reader [PSAM] 01", ReaderRole.PSAM),
        ("ACS ACR39U SAM slot", ReaderRole.PSAM),
        ("Samsung Reader", ReaderRole.UNKNOWN),
        ("Virtual PCD 00 00", ReaderRole.UNKNOWN),
    ],
)
def test_role_by_name(name, role):
    assert RoleRules().role_by_name(name) is role


def test_role_rules_configuration_and_probe():
    rules = RoleRules(psam_readers=("X",), user_readers=("Y SAM",), psam_atr_prefixes=("3B 6A 00 00 50",))
    assert rules.role_by_name("X") is ReaderRole.PSAM
    assert rules.role_by_name("Y SAM") is ReaderRole.USER
    reader = SimulatedReader(readers=("A", "B", "C"))
    reader.insert("psam", "A")
    reader.insert("v2", "B")
    roles = {i.name: (i.role, i.card_present) for i in reader.list_readers()}
    assert roles == {
        "A": (ReaderRole.PSAM, True),
        "B": (ReaderRole.USER, True),
        "C": (ReaderRole.UNKNOWN, False),
    }
    assert reader.card("B").counters.decrements == 0
    no_probe = SimulatedReader(RoleRules(probe=False), readers=("A",))
    no_probe.insert("psam", "A")
    assert no_probe.list_readers()[0].role is ReaderRole.USER
    by_atr = SimulatedReader(RoleRules(probe=False, psam_atr_prefixes=("3B6A00005053",)), readers=("A",))
    by_atr.insert("psam", "A")
    assert by_atr.list_readers()[0].role is ReaderRole.PSAM
