"""One labelled form field (text, date, file path, choice, yes/no, several) with its inline error line."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, SelectionList, Static

from outreach.i18n import t
from outreach.services.forms import FieldSpec
from outreach.ui.format import choice
from outreach.ui.widgets.common.ticks import TickList


class FormField(Vertical):
    """``value`` reads the control; ``set_error`` shows (or clears) the message under it."""

    def __init__(self, spec: FieldSpec, value: Any = None) -> None:
        super().__init__(classes="form-field", id=f"field-{spec.name}")
        self.spec = spec
        self._initial = spec.default if value is None else value

    def compose(self) -> ComposeResult:
        spec = self.spec
        label = t(spec.label_key) + (" *" if spec.required else "")
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield self._control(label)
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
    def value(self) -> Any:
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
        """Put a value into the control (prefill, tests)."""
        control = self.query_one(f"#in-{self.spec.name}")
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

    def set_error(self, text: str) -> None:
        box = self.query_one(".form-error", Static)
        box.update(("✕ " + text) if text else "")
        box.set_class(bool(text), "shown")
        self.set_class(bool(text), "invalid")


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("yes", "true", "1")
