"""Settings: language, center address and enrolment, idle lock minutes, card reader, theme."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static

from outreach.i18n import t
from outreach.ui.base import BaseScreen
from outreach.ui.messages import Notice

LANGUAGES = (("中文（简体）", "zh_CN"), ("English", "en"))
THEMES = ("textual-dark", "textual-light", "high-contrast")


class SettingsScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.save", id="save", priority=True),
        Binding("escape", "back", "bind.cancel", id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        s = self.outreach.ctx.settings
        yield Header(show_clock=False)
        yield Label(t("settings.title"), id="form-title")
        with VerticalScroll(id="form-body"):
            with Horizontal(classes="form-row"):
                yield Label(t("settings.language"), classes="form-label")
                yield Select(LANGUAGES, value=s.language, allow_blank=False, id="language", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("settings.center"), classes="form-label")
                yield Input(s.center_url or "", placeholder="https://center.example:8443", id="center", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("settings.enrol_code"), classes="form-label")
                yield Input("", placeholder=t("settings.enrol_hint"), id="enrol-code", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("settings.idle"), classes="form-label")
                yield Input(str(s.idle_lock_minutes), id="idle", type="integer", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("settings.reader"), classes="form-label")
                yield Input(s.reader or "", placeholder=t("settings.reader_auto"), id="reader", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("settings.theme"), classes="form-label")
                yield Select([(t(f"theme.{n}"), n) for n in THEMES], value=s.theme, allow_blank=False,
                             id="theme", compact=True)
            yield Static("", id="form-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#language", Select).focus()

    async def action_save(self) -> None:
        errors = self.query_one("#form-errors", Static)
        try:
            minutes = int(self.query_one("#idle", Input).value or "0")
        except ValueError:
            minutes = 0
        if not 1 <= minutes <= 240:
            errors.update("✕ " + t("settings.idle_range"))
            return
        center = self.query_one("#center", Input).value.strip() or None
        if center is not None and not center.startswith(("https://", "http://")):
            errors.update("✕ " + t("settings.center_bad"))
            return
        lang = str(self.query_one("#language", Select).value)
        theme = str(self.query_one("#theme", Select).value)
        ctx = self.outreach.ctx
        old_lang = ctx.settings.language
        ctx.save_settings(language=lang, center_url=center, idle_lock_minutes=minutes,
                          reader=self.query_one("#reader", Input).value.strip() or None, theme=theme)
        self.outreach.apply_theme(theme)
        self.notify(t("settings.saved"))
        code = self.query_one("#enrol-code", Input).value.strip()
        if code and center:
            self.enrol(center, code)
        if lang != old_lang:
            await self.outreach.change_language(lang)
        else:
            self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="enrol")
    def enrol(self, url: str, code: str) -> None:
        """Enrol with the one-time code; a refusal reaches the worker through the app's failure handler."""
        self.outreach.ctx.sync.enrol(url, code)
        self.app.post_message(Notice("settings.enrolled"))

    def action_back(self) -> None:
        self.app.pop_screen()
