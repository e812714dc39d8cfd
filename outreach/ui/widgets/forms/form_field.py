"""One labelled form field (text, date, file path, choice, yes/no, several) with its inline error line."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, SelectionList, Static

from outreach.i18n import t
from outreach.services.forms import FieldSpec
from outreach.services.security import mask_id, mask_mobile
from outreach.ui.format import choice
from outreach.ui.widgets.common.ticks import TickList

#: Fields a form shows masked when they come from a recorded person (M3), and the reveal each one logs
#: (``audit.reveal``'s field, as on the person page).
MASKED_FIELDS = {"doc_number": "id_number", "mobile": "mobile", "agent_doc_number": "id_number",
                 "agent_mobile": "mobile"}


class FormField(Vertical):
    """``value`` reads the control; ``set_error`` shows (or clears) the message under it."""

    def __init__(self, spec: FieldSpec, value: Any = None) -> None:
        super().__init__(classes="form-field", id=f"field-{spec.name}")
        self.spec = spec
        self._initial = spec.default if value is None else value
        self._hidden: str | None = None
        """The clear value while the control shows it masked (None: shown as it is)."""

    def compose(self) -> ComposeResult:
        spec = self.spec
        label = t(spec.label_key) + (" *" if spec.required else "")
        self.set_class(spec.required, "required")
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield self._control(label)
        yield Static("", classes="form-hint")
        yield Static("", classes="form-error")

    def _control(self, label: str) -> Any:
        spec = self.spec
        cid = f"in-{spec.name}"
        if spec.kind == "bool":  # yes/no in words: a checkbox would say it by colour only
            return Select([(t("choice.yes"), "yes"), (t("choice.no"), "no")],
                          value="yes" if _truthy(self._initial) else "no", allow_blank=False, id=cid, compact=True)
        if spec.kind == "select":
            options = [(choice(spec.choice_group, v), v) for v in spec.choices]
            initial = str(self._initial) if str(self._initial) in spec.choices else Select.NULL
            return Select(options, value=initial, allow_blank=not spec.required, id=cid, compact=True,
                          prompt=t("choice.none"))
        if spec.kind == "multi":
            chosen = set(self._initial) if isinstance(self._initial, list | tuple | set) else set()
            return TickList(*[(choice(spec.choice_group, v), v, v in chosen) for v in spec.choices],
                            id=cid, compact=True)
        placeholder = {"date": t("form.placeholder.date"), "path": t("form.placeholder.path")}.get(spec.kind, "")
        return Input(str(self._initial or ""), placeholder=placeholder, id=cid, compact=True)

    @property
    def masked(self) -> bool:
        return self._hidden is not None

    def mask(self) -> None:
        """Show a personal number masked (the control is locked until :meth:`reveal`); ``value`` stays clear."""
        if self.spec.name not in MASKED_FIELDS or self.masked:
            return
        control = self.query_one(f"#in-{self.spec.name}", Input)
        if not control.value:
            return
        self._hidden = control.value
        hide = mask_mobile if MASKED_FIELDS[self.spec.name] == "mobile" else mask_id
        control.value = hide(self._hidden)
        control.disabled = True
        hint = self.query_one(".form-hint", Static)
        hint.update(t("form.reveal_hint"))
        hint.add_class("shown")

    def reveal(self) -> None:
        """The clear value back in the control, editable (the caller has logged the reveal)."""
        if self._hidden is None:
            return
        control = self.query_one(f"#in-{self.spec.name}", Input)
        control.value, self._hidden = self._hidden, None
        control.disabled = False
        hint = self.query_one(".form-hint", Static)
        hint.update("")
        hint.remove_class("shown")

    @property
    def value(self) -> Any:
        if self._hidden is not None:
            return self._hidden
        control = self.query_one(f"#in-{self.spec.name}")
        if self.spec.kind == "bool":
            return control.value == "yes"  # type: ignore[attr-defined]
        if isinstance(control, Select):
            return "" if control.value is Select.NULL else str(control.value)
        if isinstance(control, SelectionList):
            return list(control.selected)
        assert isinstance(control, Input)
        return control.value

    def set_value(self, value: Any) -> None:
        """Put a value into the control (prefill, a chosen photo, tests); a masked value is replaced, not shown."""
        control = self.query_one(f"#in-{self.spec.name}")
        if self._hidden is not None:
            self._hidden = None
            control.disabled = False
            self.set_hint("")
        if self.spec.kind == "bool":
            control.value = "yes" if _truthy(value) else "no"  # type: ignore[attr-defined]
        elif isinstance(control, SelectionList):
            control.deselect_all()
            for item in value or []:
                control.select(item)
        elif isinstance(control, Select):
            control.value = str(value) if str(value) in self.spec.choices else Select.NULL
        else:
            control.value = "" if value is None else str(value)  # type: ignore[attr-defined]

    def set_hint(self, text: str) -> None:
        """A line under the control saying more about its value (a photo's size and date); not while masked."""
        if self.masked:
            return
        hint = self.query_one(".form-hint", Static)
        hint.update(text)
        hint.set_class(bool(text), "shown")

    def set_required(self, required: bool) -> None:
        """Mark the label when the field must be filled in (always, or now that the form says so: m11)."""
        self.query_one(".form-label", Label).update(t(self.spec.label_key) + (" *" if required else ""))
        self.set_class(required, "required")

    def set_error(self, text: str) -> None:
        box = self.query_one(".form-error", Static)
        box.update(("✕ " + text) if text else "")
        box.set_class(bool(text), "shown")
        self.set_class(bool(text), "invalid")


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("yes", "true", "1")
