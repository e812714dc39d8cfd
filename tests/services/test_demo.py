"""``outreach --demo`` sets up everything it can and degrades when a piece is missing."""

from __future__ import annotations

import pytest

from outreach import demo
from outreach.services.clock import FrozenClock
from tests.support.context import NOW


@pytest.fixture
def small_demo(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_PEOPLE", 12)


def test_demo_without_center_still_works(small_demo):
    ctx = demo.build_demo_context(people=12, clock=FrozenClock(NOW), center=False)
    try:
        ctx.session.unlock(demo.DEMO_PASSPHRASE)
        first = next(op for op in ctx.session.vault.operations() if op.kind == "person.register")
        name = ctx.people.person(first.subject).name
        assert first.subject in [h.person_id for h in ctx.people.find(name)]
        summary = ctx.sync.run()
        assert summary.error_key == "sync.unavailable"
        view = ctx.reader.state()
        assert view.state in ("card", "unavailable")
        if view.state == "card":
            assert view.person_id is not None
        home = ctx.home.summary()
        assert home.pending_ops > 0
        assert home.center is None
    finally:
        folder = ctx.demo.folder
        ctx.close()
    assert not folder.exists()


def test_demo_survives_a_broken_reader_and_center(monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("nothing here")

    monkeypatch.setattr(demo, "_reader_for", boom)
    monkeypatch.setattr(demo, "_start_center", boom)
    ctx = demo.build_demo_context(people=5, clock=FrozenClock(NOW))
    try:
        assert set(ctx.demo.notes) == {"demo.no_reader", "demo.no_center"}
        ctx.session.unlock(demo.DEMO_PASSPHRASE)
        assert ctx.reader.state().state == "unavailable"
        assert ctx.sync.run().error_key == "sync.unavailable"
    finally:
        ctx.close()


def test_full_demo_has_a_center_and_a_card_of_a_person_in_the_vault():
    """The README's start command: people pulled from the embedded center, a simulated card in the reader."""
    ctx = demo.build_demo_context(people=30, clock=FrozenClock(NOW))
    try:
        assert ctx.demo.notes == []
        ctx.session.unlock(demo.DEMO_PASSPHRASE)
        view = ctx.reader.state()
        assert view.state == "card"
        assert view.person_id is not None
        vault = ctx.session.vault
        assert vault.get_person(view.person_id) is not None
        sources = vault.card_sources(view.person_id)
        assert sources
        assert {s["source"] for s in sources} == {"center"}
        assert ctx.home.summary().center is not None
    finally:
        ctx.close()


CRASH = """
import os, signal, sys
from outreach import demo
from storage import Vault

ctx = demo.build_demo_context(people=12)
assert ctx.demo.notes == [], ctx.demo.notes
with Vault.open(ctx.demo.folder / "vault.db", demo.DEMO_PASSPHRASE) as v:
    for person_id in sorted({visit.person_id for visit in v.visits()}):  # the plan the center gave
        person = v.get_person(person_id)
        print(person.document.number, person.name, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a crash: no cleanup runs
"""


def test_a_crashed_demo_leaves_no_personal_data_in_plaintext(tmp_path):
    """Issue 9: a crashed ``--demo`` left its center database, names and identity numbers in plaintext, in
    $TMPDIR. The demo's center lives in memory only; what a crash leaves on disk is the encrypted vault."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    people = [line.split(" ", 1) for line in done.stdout.splitlines()]
    assert len(people) >= 12
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files  # the demo did write there (its vault), so the scan below means something
    for path in files:
        raw = path.read_bytes()
        for number, name in people:
            assert number.encode() not in raw, path.name
            assert name.encode() not in raw, path.name
