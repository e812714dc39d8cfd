"""A multi-select whose ticks are signs, not colours (issue 11, M13): a ticked item reads ``▐✓▌``, an unticked
one ``▐ ▌``. Textual's SelectionList draws the same ``X`` for both and tells them apart by colour only."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED = "✓"
UNTICKED = " "


class TickList(SelectionList[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        inner = segments[1]  # left side, the button's inside, right side, then the prompt
        segments[1] = Segment(TICKED if selection.value in self.selected else UNTICKED, inner.style)
        return Strip(segments, strip.cell_length)
