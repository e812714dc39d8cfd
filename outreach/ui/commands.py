"""Command palette provider: every action bound on the current screen (and the app), in the worker's language.

Context-aware: it lists the bindings active where the palette was opened, so the palette and the footer
always agree, and a worker who forgot a key can type a word of it instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from outreach.i18n import t


class ScreenCommands(Provider):
    """The current screen's and the app's key bindings as palette commands."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        seen: set[str] = set()
        out: list[tuple[str, str, str]] = []
        for node in (screen, self.app):
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    if not binding.show or not binding.description or binding.action in seen:
                        continue
                    if binding.action in ("command_palette",):
                        continue
                    if node.check_action(binding.action.split("(")[0], ()) is False:
                        continue  # hidden from the footer here (e.g. the supervisor home on a worker's laptop)
                    seen.add(binding.action)
                    display = self.app.get_key_display(binding)
                    out.append((binding.description, binding.action, f"{t('palette.key')}: {display or key}"))
        return out

    def _runner(self, action: str) -> Callable[[], object]:
        node = self.screen
        if node.check_action(action, ()) is False or not hasattr(node, f"action_{action.split('(')[0]}"):
            node = self.app  # type: ignore[assignment]
        return partial(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for title, action, help_text in self._commands():
            yield DiscoveryHit(title, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._commands():
            score = matcher.match(f"{title} {action}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._runner(action), text=title, help=help_text)
