"""Today's planned visits: who, where, their card's state. A row table: arrows move, Enter opens the person."""

from __future__ import annotations

from textual.widgets import DataTable

from outreach.i18n import t
from outreach.services.views import PlannedVisitView


class PlannedVisits(DataTable[str]):
    """One row per visit planned for today; :attr:`person_ids` follows the rows."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.person_ids: list[str] = []

    def on_mount(self) -> None:
        self.add_columns(t("col.name"), t("col.place"), t("col.status"))

    def show(self, planned: list[PlannedVisitView]) -> None:
        """Replace the rows; the cursor stays on the same row (back from a person page, on to the next)."""
        row = self.cursor_row
        self.clear()
        self.person_ids = []
        for visit in planned:
            status = t(f"status.{visit.card_status}") if visit.card_status else t("status.none")
            self.add_row(visit.person_name, visit.place, status)
            self.person_ids.append(visit.person_id)
        self.display = bool(planned)
        if planned:
            self.move_cursor(row=min(max(row, 0), len(planned) - 1), animate=False)

    def person_at(self, row: int) -> str | None:
        return self.person_ids[row] if 0 <= row < len(self.person_ids) else None
