"""Screen base classes: bindings described by catalogue keys, translated when the screen is built.

Bindings are declared with a message key as their description (``"bind.search"``); the screen's copy of
its bindings is rewritten with the current language's text, so the footer and the command palette show
the worker's language. Switching language rebuilds the screens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from outreach.i18n import t

if TYPE_CHECKING:
    from outreach.ui.app import OutreachApp

ResultT = TypeVar("ResultT")


def translate_bindings(node: DOMNode) -> None:
    """Show ``node``'s binding descriptions in the current language.

    Descriptions are declared as catalogue keys; the keys are remembered on the node the first time, so
    calling this again after a language switch re-translates. Bindings added at run time (the command
    palette's) are kept.
    """
    originals: dict[tuple[str, str], tuple[str, str]] = node.__dict__.setdefault("_binding_keys", {})
    for key, bindings in node._bindings.key_to_bindings.items():
        translated = []
        for b in bindings:
            if not isinstance(b, Binding):
                translated.append(b)
                continue
            source = originals.setdefault((key, b.action), (b.description, b.tooltip or ""))
            desc, tip = source
            if "." in desc:
                b = replace(b, description=t(desc), tooltip=t(tip) if tip else "")
            translated.append(b)
        node._bindings.key_to_bindings[key] = translated


def translate_toolkit() -> None:
    """Textual's own widgets with a footer label of their own, in the current language: the dropdown of a
    Select shows "esc Dismiss menu" otherwise. Its class bindings are rebuilt (each overlay copies them when
    made; screens are rebuilt after a language switch). Textual is pinned, so the class attributes are known."""
    from textual.widgets._select import SelectOverlay

    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", t("bind.dismiss_menu"))]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()


def freeze_inputs(node: DOMNode, blink: bool) -> None:
    for widget in node.query(Input):
        widget.cursor_blink = blink


class _AppScreen:
    """What every screen and dialog of the app shares: translated bindings, the typed app, frozen blink."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)  # type: ignore[arg-type]

    @property
    def outreach(self) -> OutreachApp:
        return self.app  # type: ignore[attr-defined,no-any-return]

    def on_mount(self) -> None:
        freeze_inputs(self, self.outreach.blink)  # type: ignore[arg-type]


class BaseScreen(_AppScreen, Screen[Any]):
    """A full screen of the app."""


class BaseModal(_AppScreen, ModalScreen[ResultT]):
    """A dialog returning a ``ResultT`` through ``dismiss``."""
