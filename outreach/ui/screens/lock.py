"""The lock screen: covers everything (nothing of a person shows through) until the passphrase is typed again.

It is pushed on top of the stack, so whatever was typed in the screens underneath stays there.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Input, Label, Static

from outreach.i18n import t
from outreach.services.errors import WrongPassphrase
from outreach.ui.base import BaseModal
from outreach.ui.messages import UnlockFailed


class LockScreen(BaseModal[None]):
    """Opaque, full screen. Dismissed only by the right passphrase."""

    def __init__(self) -> None:
        super().__init__()
        self._wait_left = 0

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="lock-box"):
            yield Label("🔒 " + t("lock.title"), id="lock-title")
            yield Static(t("lock.hint"))
            yield Input(password=True, placeholder=t("unlock.passphrase"), id="lock-passphrase")
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value and self._wait_left <= 0:
            self.resume(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def resume(self, passphrase: str) -> None:
        try:
            self.outreach.ctx.session.resume(passphrase)
        except WrongPassphrase as exc:
            self.post_message(UnlockFailed(exc.key, exc.wait_seconds))
            return
        self.app.call_from_thread(self.dismiss, None)

    @on(UnlockFailed)
    def _failed(self, message: UnlockFailed) -> None:
        box = self.query_one(Input)
        box.value = ""
        self._wait_left = int(round(message.wait))
        self._tick()
        if self._wait_left > 0:
            self.set_interval(1, self._tick, repeat=self._wait_left)

    def _tick(self) -> None:
        box = self.query_one(Input)
        text = t("unlock.wrong")
        if self._wait_left > 0:
            text += " " + t("unlock.wait", seconds=self._wait_left)
            box.disabled = True
            self._wait_left -= 1
        else:
            box.disabled = False
            box.focus()
        self.query_one("#lock-message", Static).update(text)
