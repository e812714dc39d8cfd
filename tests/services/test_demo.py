"""``outreach --demo`` sets up everything it can and degrades when a piece is missing."""

from __future__ import annotations

import pytest
from services.outreach_support import NOW

from outreach.services import demo
from outreach.services.clock import FrozenClock


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
