"""One form per worker action, drawn from its :class:`FormSpec` (services/forms.py).

Errors show inline under the field, in the worker's language, naming the article. A refusal by the rules
opens a dialog saying why and what to do instead; nothing is saved. While the worker fills the form, the
fee decision of Art. 24 shows above it as soon as the form would be accepted, so the person hears whether
the bank charges the card fee before anything is saved. A saved event shows the fee decision again and says
the status is provisional until the center confirms it.
"""

from __future__ import annotations

import logging
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, Select, SelectionList, Static

from outreach.i18n import t
from outreach.services.cards import IRREVERSIBLE
from outreach.services.drafts import Draft, draft_key
from outreach.services.forms import SPECS
from outreach.services.photos import PhotoInfo
from outreach.services.views import Review, SaveResult
from outreach.ui.base import BaseScreen
from outreach.ui.format import pick
from outreach.ui.messages import FormSaved
from outreach.ui.widgets.forms.form_field import MASKED_FIELDS, FormField

log = logging.getLogger(__name__)


class FormScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.save", id="save", priority=True),
        Binding("escape", "back", "bind.cancel", id="back"),
        Binding("ctrl+r", "reveal", "bind.form_reveal", id="reveal"),
        Binding("ctrl+o", "pick_photo", "bind.photo_pick", id="photo"),
        # Tab moves the focus when the app reads the key, not once the key has bubbled up from the field: a
        # redraw that holds the event loop longer than the gap between two keys otherwise sends the next key
        # to the field just left (M7; tests/ui/test_door_forms.py).
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]

    def __init__(self, kind: str, person_id: str | None, values: dict[str, Any] | None = None,
                 draft: Draft | None = None) -> None:
        super().__init__(classes=kind.replace(".", "-"))
        self.kind = kind
        self.spec = SPECS[kind]
        self.person_id = person_id
        self.draft = draft
        self.draft_key = draft.key if draft is not None else draft_key(kind, person_id)
        self._values = dict(draft.values) if draft is not None else (values or {})
        self._baseline: dict[str, Any] | None = None
        self._draft_timer: Timer | None = None
        self.last_result: SaveResult | None = None
        self.fee_preview: SaveResult | None = None
        self._saving = False
        self._preview_timer: Timer | None = None
        self._general: list[str] = []
        self._counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Label(f"{t(self.spec.title_key)}  [{t('article', n=self.spec.article)}]", id="form-title")
        yield Static(t("form.whose_new") if self.person_id is None else "", id="form-whose")
        yield Static("", id="form-fee")
        with VerticalScroll(id="form-body"):
            for note in self.spec.notes:
                yield Static(t(note), classes="form-note")
            yield Static("", id="form-errors")
            agent_heading = False
            for field in self.spec.fields:
                if field.group == "agent" and not agent_heading:
                    agent_heading = True
                    key = "form.agent_required" if self.spec.agent == "required" else "form.agent_optional"
                    yield Label(t(key), classes="form-section")
                yield FormField(field, self._values.get(field.name))
        yield Footer()

    def on_mount(self) -> None:
        if self.person_id and self.kind in ("card.apply", "person.update") and not self._values:
            self.prefill()
        else:
            self._mask_numbers()
            self.call_after_refresh(self._take_baseline)
        if self.person_id:
            self.load_whose()
        self.query(FormField).first().query("Input, Select, SelectionList").first().focus()
        self._schedule_preview()
        if self.draft is not None:
            self.notify(t("draft.resumed"))

    # --- whose record this is (m14) ------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="form-whose")
    def load_whose(self) -> None:
        assert self.person_id is not None
        whose = self.outreach.ctx.cards.whose(self.person_id)
        card = f" · {whose.card_masked}" if whose.card_masked else ""
        text = t("form.whose", name=whose.name, card=f" · {whose.id_masked}{card}")
        self.app.call_from_thread(self.query_one("#form-whose", Static).update, text)

    # --- drafts (M5): every change kept in the vault, offered back after a crash, lock or quit -------
    def _take_baseline(self) -> None:
        self._baseline = self.values()

    def has_typed_work(self) -> bool:
        """True when something was typed since the form opened (or it came back from a draft)."""
        if self.draft is not None:
            return True
        return self._baseline is not None and self.values() != self._baseline

    def keep_draft_now(self) -> None:
        """Keep what was typed in the vault now (lock, quit); never fails loudly."""
        if not self.has_typed_work():
            return
        try:
            self.outreach.ctx.drafts.keep(self.draft_key, self.kind, self.person_id, self.values())
        except Exception as exc:  # the vault closed under us: nothing more can be kept
            log.warning("draft not kept: %s", type(exc).__name__)

    def drop_draft(self) -> None:
        try:
            self.outreach.ctx.drafts.drop(self.draft_key)
        except Exception as exc:
            log.warning("draft not dropped: %s", type(exc).__name__)

    def _schedule_draft(self) -> None:
        if self._baseline is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(0.5, lambda: self.keep_draft(self.values()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-draft")
    def keep_draft(self, values: dict[str, Any]) -> None:
        if self.draft is None and values == self._baseline:
            return
        self.outreach.ctx.drafts.keep(self.draft_key, self.kind, self.person_id, values)

    # --- the fee, before saving ----------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _field_changed(self) -> None:
        self._schedule_preview()
        self._schedule_draft()

    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(0.3, lambda: self.preview_fee(self.values()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-preview")
    def preview_fee(self, values: dict[str, Any]) -> None:
        cards = self.outreach.ctx.cards
        if self.kind == "card.apply" and self.person_id is None and values.get("doc_number"):
            facts = cards.facts_from_number(str(values.get("doc_type") or ""), str(values["doc_number"]))
            if facts and not values.get("birth_date"):
                self.app.call_from_thread(self._fill_facts, facts)
                values = values | facts
        required = cards.required_now(self.kind, values)
        self.app.call_from_thread(self._mark_required, required)
        if "photo_path" in values:
            self.app.call_from_thread(self._show_photo, self._photo_text(str(values["photo_path"] or "")))
        result = cards.preview(self.person_id, self.kind, values)
        self.app.call_from_thread(self._show_fee, result)

    # --- photos (M12): chosen from the camera's folder, described by size, date and dimensions ---------------
    def _photo_text(self, path: str) -> str:
        """What the photo field's hint says (worker thread): the chosen file, else the photo on record."""
        photos = self.outreach.ctx.photos
        if path.strip():
            info = photos.describe(path)
            return t("photo.chosen", summary=info.summary) if info is not None else ""
        if self.person_id is not None and self.kind == "card.apply":
            stored = photos.of_person(self.person_id)
            if stored is not None:
                return t("photo.on_record", summary=stored.summary)
        return ""

    def _show_photo(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#field-photo_path", FormField).set_hint(text)

    def action_pick_photo(self) -> None:
        if not self.query("#field-photo_path"):
            self.notify(t("photo.no_field"))
            return
        self.list_photos()

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-photos")
    def list_photos(self) -> None:
        photos = self.outreach.ctx.photos
        self.app.call_from_thread(self._offer_photos, str(photos.folder()), photos.in_folder())

    def _offer_photos(self, folder: str, found: list[PhotoInfo]) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog

        if not found:
            self.notify(t("photo.none_in_folder", folder=folder), severity="warning")
            return
        options = [(p.path, f"{p.name}  {p.summary}") for p in found]

        def chosen(path: str | None) -> None:
            if path:
                field = self.query_one("#field-photo_path", FormField)
                field.set_value(path)
                field.query_one(Input).focus()

        self.app.push_screen(ChoiceDialog(t("photo.pick_title", folder=folder), options), chosen)

    def _mark_required(self, required: frozenset[str]) -> None:
        """Every field that must be filled in carries a *, conditional ones as soon as they must (m11)."""
        for field in self.query(FormField):
            if field.has_class("required") != (field.spec.name in required):
                field.set_required(field.spec.name in required)

    def _fill_facts(self, facts: dict[str, str]) -> None:
        """Birth date and gender from a valid identity number, once: while the birth date is still empty (the
        gender select starts on a default, so it follows the number then). Never over a typed birth date;
        focus stays where it is."""
        fields = {f.spec.name: f for f in self.query(FormField)}
        born = fields.get("birth_date")
        if born is None or born.value not in ("", None):
            return
        for name, value in facts.items():
            if name in fields:
                fields[name].set_value(value)

    def _show_fee(self, result: SaveResult) -> None:
        self.fee_preview = result
        if self.is_attached and not self._saving:
            self._clear_fixed(result)
        box = self.query_one("#form-fee", Static)
        if result.fee is None or result.errors or result.refusal is not None:
            box.update("")
            box.remove_class("shown")
            return
        word = t("fee.charged") if result.fee_charged else t("fee.free")
        box.update("\n".join([f"{t('fee.preview')}: {word} — {pick(result.fee)}",
                              *(f"⚠ {t('form.warning')}: {pick(w)}" for w in result.warnings)]))
        box.set_class(bool(result.fee_charged), "charged")
        box.add_class("shown")

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-prefill")
    def prefill(self) -> None:
        assert self.person_id is not None
        values = self.outreach.ctx.cards.prefill(self.person_id)
        self.app.call_from_thread(self._fill, values)

    def _fill(self, values: dict[str, Any]) -> None:
        for field in self.query(FormField):
            if field.spec.name in values and values[field.spec.name] not in (None, ""):
                field.set_value(values[field.spec.name])
        self._mask_numbers()
        self.call_after_refresh(self._take_baseline)

    # --- a recorded person's numbers stay masked until revealed, and each reveal is logged (M3) ---------
    def _mask_numbers(self) -> None:
        if self.person_id is None:
            return
        for field in self.query(FormField):
            field.mask()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers the reveal only while something is masked, the photo list only on a photo form."""
        if action == "reveal":
            return any(f.masked for f in self.query(FormField))
        if action == "pick_photo":
            return bool(self.query("#field-photo_path"))
        return True

    def action_reveal(self) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog

        hidden = [f for f in self.query(FormField) if f.masked]
        if not hidden:
            self.notify(t("form.nothing_masked"))
            return
        options = [(f.spec.name, t(f.spec.label_key)) for f in hidden]
        self.app.push_screen(ChoiceDialog(t("form.reveal_which"), options), self._reveal_chosen)

    def _reveal_chosen(self, name: str | None) -> None:
        if name:
            self.reveal(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-reveal")
    def reveal(self, name: str) -> None:
        assert self.person_id is not None
        self.outreach.ctx.people.reveal(self.person_id, MASKED_FIELDS[name], screen="form")  # logged first
        self.app.call_from_thread(self._revealed, name)

    def _revealed(self, name: str) -> None:
        self.query_one(f"#field-{name}", FormField).reveal()
        self.refresh_bindings()

    def values(self) -> dict[str, Any]:
        return {f.spec.name: f.value for f in self.query(FormField)}

    def action_save(self) -> None:
        if self._saving:  # a second press while the first save runs must not record the event twice
            return
        self._saving = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self.person_id is not None and self.kind in IRREVERSIBLE:
            self.prepare_review(self.values())  # read back and confirmed before anything is recorded (M9)
            return
        self.save(self.values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def prepare_review(self, values: dict[str, Any]) -> None:
        assert self.person_id is not None
        try:
            review = self.outreach.ctx.cards.review(self.person_id, self.kind, values)
        except BaseException:
            self.app.call_from_thread(self._save_finished)
            raise
        self.app.call_from_thread(self._show_review, review, values)

    def _show_review(self, review: Review, values: dict[str, Any]) -> None:
        from outreach.ui.dialogs.review import ReviewDialog

        if self.app.screen is not self:  # the worker left the form meanwhile: nothing to confirm
            self._save_finished()
            return
        if not review.ready:  # errors or a refusal: shown on the form as after a save, nothing to confirm
            self.post_message(FormSaved(review.result, self.person_id))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.save(values)
            else:  # back to the form, everything as typed
                self._save_finished()

        self.app.push_screen(ReviewDialog(review), confirmed)

    def _save_finished(self) -> None:
        self._saving = False

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def save(self, values: dict[str, Any]) -> None:
        try:
            cards = self.outreach.ctx.cards
            if self.person_id is None:
                result, person_id = cards.register_and_apply(values)
            else:
                result, person_id = cards.record(self.person_id, self.kind, values), self.person_id
            if result.saved and person_id is not None and result.op_id:
                self.outreach.ctx.visits.note_operation(person_id, result.op_id, self.kind)
            if result.saved:
                self.outreach.ctx.drafts.drop(self.draft_key)
        except BaseException:
            self.app.call_from_thread(self._save_finished)  # the app's worker handler says what went wrong
            raise
        self.post_message(FormSaved(result, person_id))

    @on(FormSaved)
    def _saved(self, message: FormSaved) -> None:
        from outreach.ui.dialogs.message import MessageDialog

        self._save_finished()
        result = message.result
        self.last_result = result
        if result.existing_person_id is not None:  # Art. 3, 5: one person, one record: open theirs
            self._open_existing(result)
            return
        self._show_errors(result)
        if result.errors:
            first = next((f for f in self.query(FormField) if f.has_class("invalid")), None)
            if first is not None:  # focus follows: typing goes where the screen points (M6)
                self.query_one("#form-body", VerticalScroll).scroll_to_widget(first)
                first.query("Input, Select, SelectionList").first().focus()
            return
        if result.refusal is not None:
            body = "\n\n".join([
                pick(result.refusal),
                t("article", n=result.refusal_article or self.spec.article),
                t(f"advice.{result.refusal_code}") if result.refusal_code and
                t(f"advice.{result.refusal_code}") != f"advice.{result.refusal_code}" else t("refusal.advice"),
                t("refusal.nothing_saved"),
            ])
            self.app.push_screen(MessageDialog(t("refusal.title"), body, kind="refusal"))
            return
        lines = [t("saved.body")]
        if result.fee is not None:
            word = t("fee.charged") if result.fee_charged else t("fee.free")
            lines.append(f"{t('fee.label')}: {word} — {pick(result.fee)}")
        lines += [f"⚠ {t('form.warning')}: {pick(w)}" for w in result.warnings]
        lines.append(t("saved.provisional"))
        person_id = message.person_id

        def after(_: bool | None) -> None:
            self.app.pop_screen()
            if self.person_id is None and person_id is not None:
                self.outreach.open_person(person_id)

        if result.op_id:  # the confirmation offers the person's receipt (print / save as PDF / read aloud)
            from outreach.ui.dialogs.receipt import ReceiptDialog

            self.app.push_screen(ReceiptDialog(t("saved.title"), "\n\n".join(lines), result.op_id), after)
            return
        self.app.push_screen(MessageDialog(t("saved.title"), "\n\n".join(lines), kind="saved"), after)

    def _open_existing(self, result: SaveResult) -> None:
        from outreach.ui.dialogs.message import MessageDialog

        existing = result.existing_person_id
        assert existing is not None
        body = "\n\n".join([*(pick(e.message) for e in result.errors), t("refusal.nothing_saved")])

        def after(_: bool | None) -> None:
            self.outreach.ctx.drafts.drop(self.draft_key)
            self.app.pop_screen()
            self.outreach.open_person(existing)

        self.app.push_screen(MessageDialog(t("form.already_registered.title"), body, kind="refusal"), after)

    # --- errors: every one shown at once (m1, m3), each cleared as soon as its field is fixed (m4) ----------
    def _show_errors(self, result: SaveResult) -> None:
        by_field: dict[str, list[str]] = {}
        for e in result.errors:  # a field can have several complaints: each is shown, none replaces another
            text = pick(e.message) + (f" [{t('article', n=e.article)}]" if e.article else "")
            by_field.setdefault(e.field, []).append(text)
        names = set()
        self._counts = {}
        for field in self.query(FormField):
            names.add(field.spec.name)
            texts = by_field.get(field.spec.name, [])
            field.set_error("\n✕ ".join(texts))
            if texts:
                self._counts[field.spec.name] = len(texts)
        self._general = [f"✕ {text}" for name, texts in by_field.items() if name not in names for text in texts]
        self._update_summary()

    def _update_summary(self) -> None:
        """The count of what is still to fix, and the complaints about no one field."""
        count = sum(self._counts.values()) + len(self._general)  # as many as there are ✕ lines (m1)
        summary = self.query_one("#form-errors", Static)
        if count:
            summary.update("\n".join([t("form.fix_errors", count=count), *self._general]))
            summary.add_class("shown")
        else:
            summary.update("")
            summary.remove_class("shown")

    def _clear_fixed(self, result: SaveResult) -> None:
        """After a change, the fields the last check no longer complains about lose their error (nothing new is
        added before the worker saves: a half-typed field is not wrong yet)."""
        still = {e.field for e in result.errors}
        changed = False
        for field in self.query(FormField):
            if field.has_class("invalid") and field.spec.name not in still:
                field.set_error("")
                self._counts.pop(field.spec.name, None)
                changed = True
        if self._general and not result.errors and result.refusal is None:
            self._general = []
            changed = True
        if changed:
            self._update_summary()

    def action_back(self) -> None:
        """Leave the form; when something was typed, ask: keep a draft, discard it, or stay."""
        from outreach.ui.dialogs.choice import ChoiceDialog

        if not self.has_typed_work():
            self.app.pop_screen()
            return

        def chosen(choice: str | None) -> None:
            if choice == "keep":
                self.keep_draft_now()
            elif choice == "discard":
                if self._draft_timer is not None:
                    self._draft_timer.stop()
                self.drop_draft()
            else:
                return
            self.app.pop_screen()

        self.app.push_screen(ChoiceDialog(t("draft.leave_title"), [
            ("keep", t("draft.keep")), ("discard", t("draft.discard")), ("stay", t("draft.stay"))]), chosen)
