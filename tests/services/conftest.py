"""Fixtures of the headless service tests: a fresh encrypted vault per test in tmp_path."""

from __future__ import annotations

import pytest

from tests.support.context import PASSPHRASE, make_context


@pytest.fixture
def ctx(tmp_path):
    """An unlocked context over a fresh vault holding three people pulled from the center."""
    context = make_context(tmp_path)
    context.session.unlock(PASSPHRASE)
    yield context
    context.close()
