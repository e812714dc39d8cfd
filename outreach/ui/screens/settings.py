"""Settings: language, center address and enrolment, idle lock minutes, card reader, theme."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static

from outreach.i18n import language, t
from outreach.services.errors import InvalidSettings, ServiceError
from outreach.settings import IDLE_LOCK_MINUTES
from outreach.ui.base import BaseScreen

LANGUAGES = (("中文（简体）", "zh_CN"), ("English", "en"))
THEMES = ("textual-dark", "textual-light", "high-contrast")
#: What to say under a setting the settings model refused.
_REFUSED = {"idle_lock_minutes": "settings.idle_range", "center_url": "settings.center_bad"}


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
            with Horizontal(classes="form-row"):
                yield Label(t("receipt.settings.printer"), classes="form-label")
                yield Input(s.printer or "", id="printer", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(t("receipt.settings.paper"), classes="form-label")
                yield Select([(t(f"receipt.paper.{p}"), p) for p in ("a5", "roll80")], value=s.receipt_paper,
                             allow_blank=False, id="paper", compact=True)
            with Horizontal(classes="form-row"):  # where a camera or scanner saves photos (M12)
                yield Label(t("settings.photo_folder"), classes="form-label")
                yield Input(str(s.photo_folder or ""), placeholder=t("settings.photo_folder_hint"),
                            id="photo-folder", compact=True)
            yield Static("", id="form-errors")
            yield Static("", id="enrol-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#language", Select).focus()

    async def action_save(self) -> None:
        errors = self.query_one("#form-errors", Static)
        center = self.query_one("#center", Input).value.strip() or None
        lang = str(self.query_one("#language", Select).value)
        theme = str(self.query_one("#theme", Select).value)
        ctx = self.outreach.ctx
        old_lang = ctx.settings.language
        try:
            ctx.save_settings(language=lang, center_url=center, idle_lock_minutes=self.query_one("#idle", Input).value,
                              reader=self.query_one("#reader", Input).value.strip() or None, theme=theme,
                              printer=self.query_one("#printer", Input).value.strip() or None,
                              receipt_paper=str(self.query_one("#paper", Select).value),
                              photo_folder=self.query_one("#photo-folder", Input).value.strip() or None)
        except InvalidSettings as bad:  # the settings model is the one check; say which ones it refused
            low, high = IDLE_LOCK_MINUTES
            errors.update("\n".join("✕ " + t(_REFUSED.get(name, "settings.invalid"), low=low, high=high)
                                     for name in bad.fields))
            return
        self.outreach.apply_theme(theme)
        code = self.query_one("#enrol-code", Input).value.strip()
        if code and not center:
            errors.update(t("settings.enrol_need_center"))
            return
        if code and center:  # stay on the screen: the worker must read whether enrolment worked, and why not
            errors.update("")
            self.query_one("#enrol-status", Static).update(t("settings.enrolling"))
            self.notify(t("settings.saved"))
            self.enrol(center, code)
            return
        if lang != old_lang:
            await self.outreach.change_language(lang)
        else:
            self.app.pop_screen()
        self.app.notify(t("settings.saved"))  # after a language switch: in the new language

    @work(thread=True, exclusive=True, exit_on_error=False, group="enrol")
    def enrol(self, url: str, code: str) -> None:
        """Enrol with the one-time code; the outcome, in words, stays on this screen (and in a toast)."""
        ctx = self.outreach.ctx
        worker = str(getattr(ctx.session.vault, "worker_id", ""))
        try:
            ctx.sync.enrol(url, code)
        except ServiceError as exc:
            why = (exc.detail[0] if language() == "zh_CN" else exc.detail[1]) if exc.detail \
                else t("settings.enrol_unavailable")
            self.app.call_from_thread(self._enrolled, False, why, worker)
            return
        self.app.call_from_thread(self._enrolled, True, "", worker)

    def _enrolled(self, ok: bool, why: str, worker: str) -> None:
        text = t("settings.enrolled_as", worker=worker) if ok else \
            t("settings.enrol_failed", why=why) + "\n" + t("settings.enrol_advice", worker=worker)
        self.query_one("#enrol-status", Static).update(text)
        self.query_one("#enrol-status", Static).set_class(not ok, "failed")
        if ok:
            self.query_one("#enrol-code", Input).value = ""
        self.notify(text, severity="information" if ok else "error", timeout=10)

    def action_back(self) -> None:
        self.app.pop_screen()
