"""Fixtures of the UI tests: the app over a fresh encrypted vault, driven with Pilot."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest

from outreach.ui.app import OutreachApp
from tests.support.context import PASSPHRASE, make_context


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


async def settle(pilot) -> None:
    """Let workers finish and their messages land."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # an exclusive worker superseded by a newer one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def unlock(pilot, passphrase: str = PASSPHRASE) -> None:
    from textual.widgets import Input

    await pilot.pause()
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app) -> str:
    """Everything visible now (plain text of an SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg))
    return text.replace("\xa0", " ")
