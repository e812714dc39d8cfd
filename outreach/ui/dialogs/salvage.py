"""The damaged vault: what is damaged, and an offer to export every record that still verifies.

Shown at unlock when the vault's check found damage (the vault is then read-only and does not sync) or when
the vault did not open because its first page is damaged; F7 brings it back. The worker gives the fresh
vault's place (suggested beside the old one), optionally a USB transfer file for the center, and the
passphrase again; after the export the fresh vault can take the damaged one's place (which is kept under
another name). Returns True when the fresh vault took its place (the app then asks for the passphrase).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from outreach.i18n import t
from outreach.services.errors import ServiceError, WrongPassphrase
from outreach.services.salvage import DamageView, SalvageResult
from outreach.ui.base import BaseModal
from outreach.ui.format import pick


def damage_text(view: DamageView) -> str:
    lines = [t("salvage.pages", n=view.bad_pages), t("salvage.damaged")]
    lines += [f"  • {pick(item)}" for item in view.damaged]
    lines += ["", pick(view.verdict)]
    if not view.first_page:
        lines.append(t("salvage.readonly"))
    return "\n".join(lines)


class SalvageDialog(BaseModal[bool]):
    DEFAULT_CSS = """
    #salvage-box { height: 90%; max-height: 30; padding: 0 1; }
    #salvage-box .dialog-title { margin-bottom: 0; }
    #salvage-damage { height: auto; max-height: 9; }
    #salvage-body { height: 1fr; }
    #salvage-box Input { margin-bottom: 1; }
    #salvage-buttons { height: auto; margin-top: 0; }
    #salvage-buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "later", "bind.close")]

    def __init__(self, view: DamageView) -> None:
        super().__init__(classes="dialog refusal")
        self._view = view
        self._result: SalvageResult | None = None
        self._adopted = False
        self._busy = False  # an export is running: the dialog stays until it has said how it went

    def compose(self) -> ComposeResult:
        salvage = self.outreach.ctx.salvage
        with Vertical(classes="dialog-box", id="salvage-box"):
            yield Label(t("salvage.title"), classes="dialog-title")
            yield Static(damage_text(self._view), id="salvage-damage")
            with VerticalScroll(id="salvage-body"):
                if self._view.can_save:
                    yield Label(t("salvage.target"))
                    yield Input(value=str(salvage.suggested_target()), id="salvage-target", compact=True)
                    yield Label(t("salvage.usb"))
                    yield Input(id="salvage-usb", compact=True)
                    yield Label(t("salvage.passphrase"))
                    yield Input(password=True, id="salvage-passphrase", compact=True)
                yield Static("", id="salvage-message")
            with Horizontal(id="salvage-buttons"):
                if self._view.can_save:
                    yield Button(t("salvage.save"), id="salvage-save", variant="primary", compact=True)
                    yield Button(t("salvage.adopt"), id="salvage-adopt", variant="warning", disabled=True,
                                 compact=True)
                yield Button(t("salvage.later"), id="salvage-later", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        if self._view.can_save:
            self.query_one("#salvage-passphrase", Input).focus()
        else:
            self.query_one("#salvage-later", Button).focus()

    def _say(self, text: str) -> None:
        self.query_one("#salvage-message", Static).update(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "salvage-passphrase":
            self._start()
        else:
            self.focus_next()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "salvage-save":
            self._start()
        elif event.button.id == "salvage-adopt":
            self._adopt()
        elif not self._busy:
            self.dismiss(self._adopted)

    def action_later(self) -> None:
        if not self._busy:
            self.dismiss(self._adopted)

    def _start(self) -> None:
        if self._result is not None or self._busy:
            return
        passphrase = self.query_one("#salvage-passphrase", Input).value
        target = self.query_one("#salvage-target", Input).value.strip()
        usb = self.query_one("#salvage-usb", Input).value.strip()
        if not passphrase:
            self._say(t("salvage.need_passphrase"))
            return
        if not target:
            self._say(t("salvage.need_target"))
            return
        self._say(t("salvage.saving"))
        self._busy = True
        self.query_one("#salvage-save", Button).disabled = True
        self.query_one("#salvage-later", Button).disabled = True
        self._export(passphrase, Path(target), Path(usb) if usb else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="salvage")
    def _export(self, passphrase: str, target: Path, usb: Path | None) -> None:
        try:
            result = self.outreach.ctx.salvage.save(passphrase, target, usb)
        except WrongPassphrase as exc:
            self.app.call_from_thread(self._failed, t("unlock.wrong") + (
                " " + t("unlock.wait", seconds=exc.params["seconds"]) if exc.wait_seconds >= 1 else ""))
            return
        except ServiceError as exc:
            words = t(exc.key, **exc.params)
            if exc.detail:
                words += "\n" + pick_pair(exc.detail)
            self.app.call_from_thread(self._failed, words)
            return
        self.app.call_from_thread(self._done, result)

    def _idle(self) -> None:
        self._busy = False
        self.query_one("#salvage-later", Button).disabled = False

    def _failed(self, text: str) -> None:
        self._idle()
        self.query_one("#salvage-passphrase", Input).value = ""
        self.query_one("#salvage-save", Button).disabled = False
        self._say(text)

    def _done(self, result: SalvageResult) -> None:
        self._idle()
        self._result = result
        self.query_one("#salvage-passphrase", Input).value = ""
        lines = [t("salvage.done", n=result.recovered, path=str(result.target))]
        if result.lost:
            seqs = ", ".join(str(s) for s in result.lost[:20]) + (" ..." if len(result.lost) > 20 else "")
            lines.append(t("salvage.lost", n=len(result.lost), seqs=seqs))
        if result.photos or result.photos_lost:
            lines.append(t("salvage.photos", n=result.photos, lost=result.photos_lost))
        if result.usb is not None:
            lines.append(pick(result.usb_problem) if result.usb_problem is not None
                         else t("salvage.usb_done", n=result.usb_operations, path=str(result.usb)))
        self._say("\n".join(lines))
        adopt = self.query_one("#salvage-adopt", Button)
        adopt.disabled = False
        adopt.focus()

    def _adopt(self) -> None:
        if self._result is None or self._adopted:
            return
        try:
            kept = self.outreach.ctx.salvage.adopt(self._result)
        except ServiceError as exc:
            self._say(t(exc.key, **exc.params))
            return
        self._adopted = True
        self.query_one("#salvage-adopt", Button).disabled = True
        self._say(t("salvage.adopted", kept=str(kept)))
        done = self.query_one("#salvage-later", Button)
        done.label = t("button.ok")
        done.focus()


def pick_pair(pair: tuple[str, str]) -> str:
    from outreach.i18n import language

    return pair[0] if language().startswith("zh") else pair[1]
