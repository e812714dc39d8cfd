"""Fixtures of the UI tests: the app over a fresh encrypted vault, driven with Pilot."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from outreach.ui.app import OutreachApp
from tests.support.context import make_context


@pytest.fixture(autouse=True)
def _chinese_again():
    """The language is process-wide: every test leaves it as it found it (Chinese)."""
    yield
    from outreach.i18n import set_language

    set_language("zh_CN")


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (anyio's pytest plugin drives them: ``pytestmark = pytest.mark.anyio``)."""
    return "asyncio"


@pytest.fixture
def make_app(tmp_path) -> Callable[..., OutreachApp]:
    """Build the app (cursor blink frozen, no background sync); contexts are closed after the test."""
    contexts = []

    def build(**kwargs: object) -> OutreachApp:
        ctx = make_context(tmp_path, **kwargs)  # type: ignore[arg-type]
        contexts.append(ctx)
        return OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)

    yield build
    for ctx in contexts:
        ctx.close()
