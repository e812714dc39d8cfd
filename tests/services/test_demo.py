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
