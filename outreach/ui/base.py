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
    """Rebuild ``node``'s bindings from its class, with key descriptions in the current language."""
    source = type(node)._merged_bindings
    if source is None:
        return
    fresh = source.copy()
    for key, bindings in fresh.key_to_bindings.items():
        fresh.key_to_bindings[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if isinstance(b, Binding) and "." in b.description
            else b
            for b in bindings
        ]
    node._bindings = fresh


def freeze_inputs(node: DOMNode, blink: bool) -> None:
    for widget in node.query(Input):
        widget.cursor_blink = blink


class BaseScreen(Screen[Any]):
    """A full screen of the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def outreach(self) -> OutreachApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        freeze_inputs(self, self.outreach.blink)


class BaseModal(ModalScreen[ResultT]):
    """A dialog returning a ``ResultT`` through ``dismiss``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def outreach(self) -> OutreachApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        freeze_inputs(self, self.outreach.blink)
