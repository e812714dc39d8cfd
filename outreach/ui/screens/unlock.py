"""First start: create the vault (passphrase twice, strength shown). Later: ask for the passphrase.

A wrong passphrase gets a calm message and a growing wait, never a traceback. In demo mode only, the
public demo passphrase is shown.
"""

from __future__ import annotations

import re

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Footer, Header, Input, Label, Static

from outreach.i18n import t
from outreach.services.errors import ServiceError, WrongPassphrase
from outreach.services.security import MIN_STRENGTH, passphrase_strength
from outreach.ui.base import BaseScreen
from outreach.ui.messages import Unlocked, UnlockFailed

#: A worker ID as the center's enrolment codes name it.
WORKER_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class UnlockScreen(BaseScreen):
    """Open or create the encrypted vault."""

    def __init__(self) -> None:
        super().__init__()
        self._creating = False
        self._wait_left = 0

    def compose(self) -> ComposeResult:
        ctx = self.outreach.ctx
        self._creating = not ctx.session.exists()
        yield Header(show_clock=False)
        with Center(), Vertical(id="unlock-box"):
            yield Label(t("unlock.create_title" if self._creating else "unlock.title"), id="unlock-title")
            yield Static(t("unlock.create_hint" if self._creating else "unlock.hint"), id="unlock-hint")
            if ctx.demo is not None:
                yield Static(t("unlock.demo", passphrase=ctx.demo.passphrase), id="demo-passphrase")
                for note in ctx.demo.notes:  # pieces the demo could not set up ("center unavailable" ...)
                    yield Static("⚠ " + t(note), classes="demo-note")
            if self._creating:  # the enrolment code is bound to a worker ID: ask for it, never assume one
                yield Input(placeholder=t("unlock.worker_id"), id="worker-id", max_length=32)
            yield Input(password=True, placeholder=t("unlock.passphrase"), id="passphrase")
            if self._creating:
                yield Static("", id="strength")
                yield Input(password=True, placeholder=t("unlock.again"), id="again")
            yield Static("", id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#worker-id" if self._creating else "#passphrase", Input).focus()

    @on(Input.Changed, "#passphrase")
    def _strength(self, event: Input.Changed) -> None:
        if not self._creating:
            return
        score = passphrase_strength(event.value, [self.query_one("#worker-id", Input).value])
        bar = "■" * (score + 1) + "□" * (4 - score)
        verdict = t(f"strength.{score}")
        hint = "" if score >= MIN_STRENGTH else " " + t("strength.need_more")
        self.query_one("#strength", Static).update(f"{t('strength.label')}: {bar} {verdict}{hint}")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._wait_left > 0:
            return
        if self._creating and event.input.id == "worker-id":
            self.query_one("#passphrase", Input).focus()
            return
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            return
        if self._creating:
            again_input = self.query_one("#again", Input)
            if event.input.id == "passphrase":
                again_input.focus()
                return
            worker_id = self.query_one("#worker-id", Input).value.strip()
            if not WORKER_ID.fullmatch(worker_id):
                self._message(t("unlock.worker_needed"))
                self.query_one("#worker-id", Input).focus()
                return
            self._message(t("unlock.creating"))
            self.attempt(passphrase, again_input.value, worker_id)
        else:
            self._message(t("unlock.opening"))
            self.attempt(passphrase, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def attempt(self, passphrase: str, again: str | None, worker_id: str = "") -> None:
        session = self.outreach.ctx.session
        try:
            if again is not None:
                session.create(passphrase, again, worker_id=worker_id)
            else:
                session.unlock(passphrase)
        except WrongPassphrase as exc:
            self.post_message(UnlockFailed(exc.key, exc.wait_seconds))
            return
        except ServiceError as exc:
            self.post_message(UnlockFailed(exc.key, 0, dict(exc.params)))
            return
        self.app.post_message(Unlocked())

    @on(UnlockFailed)
    def _failed(self, message: UnlockFailed) -> None:
        for widget in self.query(Input):
            if widget.id != "worker-id":
                widget.value = ""
        self.query_one("#passphrase", Input).focus()
        if message.key == "unlock.wrong" and message.wait >= 1:
            self._wait_left = int(round(message.wait))
            self._countdown()
            self.set_interval(1, self._countdown, repeat=self._wait_left)
            return
        self._message(t(message.key, **(message.params or {})))
        if message.key == "unlock.first_page":  # the passphrase was right: offer to save what verifies
            self.outreach.action_salvage()

    def _countdown(self) -> None:
        if self._wait_left <= 0:
            self._message(t("unlock.try_again"))
            self.query_one("#passphrase", Input).disabled = False
            self.query_one("#passphrase", Input).focus()
            return
        self.query_one("#passphrase", Input).disabled = True
        self._message(t("unlock.wrong") + " " + t("unlock.wait", seconds=self._wait_left))
        self._wait_left -= 1

    def _message(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(text)
