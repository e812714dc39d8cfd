"""Charts drawn with block characters: every bar carries its number as text, so nothing is read from colour
or length alone (and the charts read the same on a monochrome terminal or a screen reader)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from outreach.i18n import t
from outreach.services.supervision import DayCount

_EIGHTHS = " ▏▎▍▌▋▊▉"
_LEVELS = " ▁▂▃▄▅▆▇█"


def hbar(value: int, top: int, width: int) -> str:
    """A horizontal bar of ``value`` out of ``top`` in ``width`` cells, to an eighth of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def bar_lines(items: list[tuple[str, int]], width: int = 24) -> list[str]:
    """``label  ████▌ 12`` per item, labels padded to one column."""
    if not items:
        return [t("sup.none")]
    top = max(n for _, n in items)
    pad = max(_cells(label) for label, _ in items)
    return [f"{label}{' ' * (pad - _cells(label))}  {hbar(n, top, width)} {n}" for label, n in items]


def _cells(text: str) -> int:
    """Terminal cells of ``text`` (CJK characters take two)."""
    from rich.cells import cell_len

    return cell_len(text)


class Bars(Static):
    """A titled horizontal bar chart; the bars fit the width the chart has (redrawn when it changes)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._title = ""
        self._items: list[tuple[str, int]] = []

    def show(self, title: str, items: list[tuple[str, int]]) -> None:
        self._title, self._items = title, list(items)
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        pad = max((_cells(label) for label, _ in self._items), default=0)
        digits = max((len(str(n)) for _, n in self._items), default=1)
        room = self.content_size.width - pad - digits - 3
        text = Text(self._title + "\n", style="bold")
        text.append("\n".join(bar_lines(self._items, width=max(4, min(24, room)) if room > 0 else 16)))
        self.update(text)


class VisitsPerDay(Static):
    """Visits per day as columns (one level per eighth of the highest day), the count and the day under each."""

    def show(self, days: list[DayCount]) -> None:
        top = max((d.visits for d in days), default=0)
        text = Text(t("sup.visits_chart", days=len(days), total=sum(d.visits for d in days)) + "\n", style="bold")
        rows = 4
        for row in range(rows, 0, -1):
            cells = []
            for d in days:
                level = 0 if top == 0 else d.visits * rows * 8 / top - (row - 1) * 8
                if row == 1 and d.visits > 0:
                    level = max(level, 1)  # a day with one visit still shows
                cells.append((_LEVELS[min(8, max(0, round(level)))] * 2).ljust(3))
            text.append("".join(cells).rstrip() + "\n")
        text.append("".join(str(d.visits).ljust(3) for d in days).rstrip() + "\n")
        text.append("".join(f"{d.day.day:02d} " for d in days).rstrip())
        self.update(text)
