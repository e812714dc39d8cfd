"""The worker's app: only the App class. Screens live in ``screens/``, dialogs in ``dialogs/``."""

from __future__ import annotations

import logging
import time
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from outreach.i18n import set_language, t
from outreach.services.context import AppContext
from outreach.services.errors import ServiceError
from outreach.services.views import SyncProgress
from outreach.ui.base import translate_bindings, translate_toolkit
from outreach.ui.commands import ScreenCommands
from outreach.ui.messages import (
    FormSaved,
    Notice,
    ReaderChanged,
    ReaderPoke,
    SyncFinished,
    SyncStepped,
    Unlocked,
)
from outreach.ui.themes import HIGH_CONTRAST

log = logging.getLogger(__name__)

#: Card statuses that raise an alert when such a card is inserted: it must not be used as it is (Art. 17-25, 27).
ALERT_STATUSES = frozenset({"temp_lost", "lost", "cancelled", "replaced", "exchanged", "recalled"})


class OutreachApp(App[int]):
    """海南社保卡上门服务. Starts on the unlock screen; everything else needs the vault open."""

    CSS_PATH = "app.tcss"
    TITLE = "海南社保卡上门服务"
    #: Only the app's own commands: Textual's built-ins (Screenshot writes the screen, revealed data included,
    #: to a file outside the vault; Theme, Keys, Maximize, Quit are English) are left out on purpose.
    COMMANDS = {ScreenCommands}
    ENABLE_COMMAND_PALETTE = True
    #: Screens get ``-narrow`` below 100 columns: the person page stacks its panels (usable at 80x24).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("ctrl+l", "lock", "bind.lock", id="lock", tooltip="tip.lock"),
        Binding("ctrl+q", "quit", "bind.quit", id="quit", priority=True),
        Binding("f7", "salvage", "bind.salvage", id="salvage"),
        # Declared here (not left to Textual) so that its footer label is translated too.
        Binding("ctrl+p", "command_palette", "bind.palette", id="palette", show=False, priority=True),
    ]

    def __init__(self, ctx: AppContext, *, blink: bool = True, idle_check_seconds: float = 5.0,
                 auto_sync_minutes: float = 15.0, connection_check_seconds: float = 20.0,
                 sync_after_save_seconds: float = 15.0) -> None:
        set_language(ctx.settings.language)
        translate_toolkit()
        super().__init__()
        translate_bindings(self)
        self.ctx = ctx
        self.blink = blink
        self.reader_view: Any = None
        self.last_activity = time.monotonic()
        self.idle_check_seconds = idle_check_seconds
        self.auto_sync_minutes = auto_sync_minutes
        self.sync_running = False
        self._sync_timer: Any = None
        #: Background sync also starts when a connection to the center appears and shortly after work is saved
        #: (debounced: a burst of saves gives one sync), not only on the timer. Off with ``auto_sync_minutes=0``.
        self.connection_check_seconds = connection_check_seconds
        self.sync_after_save_seconds = sync_after_save_seconds
        self.center_online: bool | None = None
        self._connection_watch: Any = None
        self._save_timer: Any = None
        #: Damage met by a read while the app runs: the salvage offer opens by itself, once per session.
        self._damage_offered = False
        self.sub_title = t("app.subtitle")

    # --- start-up ---------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.apply_theme(self.ctx.settings.theme)
        self.title = t("app.title")
        from outreach.ui.screens.unlock import UnlockScreen

        self.push_screen(UnlockScreen())
        self.set_interval(self.idle_check_seconds, self._check_idle)
        self.set_interval(1.0, self._watch_damage)

    def apply_theme(self, name: str) -> None:
        try:
            self.theme = name
        except Exception:  # an unknown theme name in an old settings file
            self.theme = "textual-dark"

    @on(Unlocked)
    def _unlocked(self) -> None:
        """First unlock: go home, watch the card reader, arm the background sync."""
        from outreach.ui.screens.home import HomeScreen

        self.last_activity = time.monotonic()
        self.switch_screen(HomeScreen())
        self.ctx.reader.watch(self._poke_reader)
        self.post_message(ReaderPoke())
        self._damage_offered = False
        if self.ctx.session.damaged:  # readable, not writable, no sync: say so and offer to save what verifies
            self._damage_offered = True
            self.action_salvage()
            return
        self.arm_sync()

    def _watch_damage(self) -> None:
        """A read that meets a damaged page while the app runs stops saving and sync (storage); say so at once
        and offer the export, as at unlock, instead of waiting for the worker to find F7."""
        from outreach.ui.dialogs.salvage import SalvageDialog

        session = self.ctx.session
        if self._damage_offered or not session.is_open or not session.damaged:
            return
        if isinstance(self.screen, SalvageDialog):
            return
        self._damage_offered = True
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self.action_salvage()

    # --- a damaged vault: export what verifies (F7 while it is open) -------------------------------
    def action_salvage(self) -> None:
        from outreach.ui.dialogs.salvage import SalvageDialog

        view = self.ctx.salvage.damage()
        if view is not None:
            self.push_screen(SalvageDialog(view), callback=self.after_salvage)

    def after_salvage(self, adopted: bool | None) -> None:
        """The fresh vault took the damaged one's place (the session is closed): ask for the passphrase."""
        if adopted:
            self.call_later(self._back_to_unlock)

    async def _back_to_unlock(self) -> None:
        from outreach.ui.screens.unlock import UnlockScreen

        if self._sync_timer is not None:
            self._sync_timer.stop()
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        if not isinstance(self.screen, UnlockScreen):
            await self.switch_screen(UnlockScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "salvage":  # shown in the footer and the palette only while the vault is damaged
            return self.ctx.session.damaged
        return True

    # --- the idle lock ----------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        idle = time.monotonic() - self.last_activity
        if idle >= self.ctx.settings.idle_lock_minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        """Hide everything behind the lock screen; what was typed stays in the screens underneath."""
        from outreach.ui.screens.lock import LockScreen

        session = self.ctx.session
        if not session.is_open or session.locked or isinstance(self.screen, LockScreen):
            return
        self.keep_drafts()  # a lock may be followed by a dead battery: what was typed is in the vault first
        session.lock()
        self.ctx.people.hide_all()
        self.push_screen(LockScreen(), callback=self._after_lock)

    def _after_lock(self, _: object = None) -> None:
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # --- the card reader --------------------------------------------------------------------------
    def _poke_reader(self) -> None:
        """Called on the hardware watcher's thread: only post a message (thread-safe)."""
        self.post_message(ReaderPoke())

    @on(ReaderPoke)
    def _reader_poked(self) -> None:
        if self.ctx.session.is_open:
            self.read_reader()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reader")
    def read_reader(self) -> None:
        self.post_message(ReaderChanged(self.ctx.reader.state()))

    @on(ReaderChanged)
    def _reader_changed(self, message: ReaderChanged) -> None:
        before = self.reader_view
        self.reader_view = message.view
        for screen in self.screen_stack:
            if screen is not self.screen:
                continue
            screen.post_message(ReaderChanged(message.view))
        inserted = message.view.state == "card" and (before is None or before.card_number != message.view.card_number)
        if inserted and message.view.person_id and not self.ctx.session.locked:
            from outreach.ui.screens.home import HomeScreen
            from outreach.ui.screens.search import SearchScreen

            if isinstance(self.screen, HomeScreen | SearchScreen):
                self.open_person(message.view.person_id)
        if inserted and message.view.card_status in ALERT_STATUSES and not self.ctx.session.locked:
            self._alert_card(message.view)

    def _alert_card(self, view: Any) -> None:
        """A card this laptop knows as lost, cancelled or replaced is in the reader: say so before anything."""
        from outreach.ui.dialogs.message import MessageDialog

        status = str(view.card_status)
        body = t(f"reader.alert.{status}", who=view.person_name or t("reader.unknown_person"),
                 number=view.card_number or "")
        self.push_screen(MessageDialog(t("reader.alert_title", status=t(f"status.{status}")), body, kind="refusal"))

    def open_person(self, person_id: str) -> None:
        from outreach.ui.screens.person import PersonScreen

        self.push_screen(PersonScreen(person_id))

    # --- sync: a background timer that re-arms itself -------------------------------------------
    def arm_sync(self) -> None:
        if self._sync_timer is not None:
            self._sync_timer.stop()
        if self.auto_sync_minutes > 0:
            self._sync_timer = self.set_timer(self.auto_sync_minutes * 60, self._auto_sync)
            if self._connection_watch is None and self.connection_check_seconds > 0:
                self._connection_watch = self.set_interval(self.connection_check_seconds, self.check_connection)
                self.check_connection()

    def _may_sync(self) -> bool:
        """Background sync runs while the screen is locked too (the vault stays open, nothing is shown): with a
        5-minute idle lock, a timer that waited for the worker would seldom fire (m17)."""
        return self.ctx.session.is_open and not self.sync_running and not self.ctx.session.damaged

    @work(thread=True, exclusive=True, exit_on_error=False, group="connection")
    def check_connection(self) -> None:
        """Is the center reachable now? (a TCP connect on a worker thread; the answer goes to the UI thread)"""
        if not self._may_sync():
            return
        up = self.ctx.sync.reachable()
        self.call_from_thread(self._connection_seen, up)

    def _connection_seen(self, up: bool) -> None:
        before, self.center_online = self.center_online, up
        if up and before is not True and self._may_sync() and self.ctx.sync.available:
            self.start_sync()  # a connection appeared (or the app started with one): send what waits

    @on(FormSaved)
    def _work_saved(self, message: FormSaved) -> None:
        """Any form or visit saved (the screens' message bubbles up here): sync soon, once per burst."""
        if not message.result.saved or self.auto_sync_minutes <= 0 or self.sync_after_save_seconds <= 0:
            return
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(self.sync_after_save_seconds, self._sync_after_save)

    def _sync_after_save(self) -> None:
        self._save_timer = None
        if self._may_sync() and self.center_online is not False and self.ctx.sync.available:
            self.start_sync()

    def _auto_sync(self) -> None:
        if self._may_sync() and self.ctx.sync.available:
            self.start_sync()
        else:
            self.arm_sync()

    def start_sync(self) -> None:
        if self.sync_running:
            return
        import threading

        self.sync_running = True
        self.sync_cancel = threading.Event()
        self.run_sync(self.sync_cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def run_sync(self, cancel: Any) -> None:
        def progress(step: SyncProgress) -> None:
            self.post_message(SyncStepped(step))

        summary = self.ctx.sync.run(progress=progress, cancel=cancel)
        self.post_message(SyncFinished(summary))

    def cancel_sync(self) -> None:
        cancel = getattr(self, "sync_cancel", None)
        if cancel is not None:
            cancel.set()

    @on(SyncStepped)
    def _sync_stepped(self, message: SyncStepped) -> None:
        self.screen.post_message(SyncStepped(message.progress))

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        self.sync_running = False
        self.arm_sync()
        self.screen.post_message(SyncFinished(message.summary))

    # --- one place that turns failures into words --------------------------------------------------
    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "sync":
            self.sync_running = False
            self.arm_sync()
        if isinstance(error, ServiceError):
            text = t(error.key, **error.params)
            if error.detail:
                text += "\n" + (error.detail[0] if self.ctx.settings.language == "zh_CN" else error.detail[1])
            self.notify(text, severity="error", timeout=8)
            return
        # Log the type only: messages of lower layers may hold personal data.
        log.error("worker %s failed: %s", event.worker.name, type(error).__name__)
        self.notify(t("error.unexpected"), severity="error", timeout=8)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(t(message.key), severity=message.severity)  # type: ignore[arg-type]

    # --- language ------------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """The palette, with its search placeholder in the worker's language (Textual's is English)."""
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("palette.placeholder")))

    async def change_language(self, lang: str) -> None:
        """Switch language: rebuild the screens in the new language (home again)."""
        set_language(lang)
        translate_toolkit()
        translate_bindings(self)
        self.title = t("app.title")
        self.sub_title = t("app.subtitle")
        from outreach.ui.screens.home import HomeScreen

        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(HomeScreen())

    def open_forms(self) -> list[Any]:
        from outreach.ui.screens.form import FormScreen

        return [s for s in self.screen_stack if isinstance(s, FormScreen) and s.has_typed_work()]

    def keep_drafts(self) -> None:
        for form in self.open_forms():
            form.keep_draft_now()

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would write personal data to a file outside the vault."""

    async def action_quit(self) -> None:
        forms = self.open_forms()
        if forms and self.ctx.session.is_open and not self.ctx.session.locked:
            from outreach.ui.dialogs.choice import ChoiceDialog

            def chosen(choice: str | None) -> None:
                if choice == "keep":
                    self.keep_drafts()
                elif choice == "discard":
                    for form in forms:
                        form.drop_draft()
                else:
                    return
                self.cancel_sync()
                self.exit(0)

            self.push_screen(ChoiceDialog(t("draft.quit_title"), [
                ("keep", t("draft.keep_quit")), ("discard", t("draft.discard_quit")), ("back", t("draft.back"))]),
                chosen)
            return
        if forms:  # locked: nobody to ask; keeping is the choice that loses nothing
            self.keep_drafts()
        self.cancel_sync()
        self.exit(0)
