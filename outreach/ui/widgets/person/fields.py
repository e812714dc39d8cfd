"""The person's data; sensitive values masked until revealed (a reveal is logged)."""

from __future__ import annotations

from rich.table import Table
from textual.widgets import Static

from outreach.domain.countries import country_name
from outreach.i18n import language, t
from outreach.services.views import FieldView

_CHOICE_GROUPS = {"gender": "gender", "ethnicity": "ethnicity", "doc_type": "doc_type", "hardship": "hardship"}


class PersonFields(Static):
    def show(self, fields: list[FieldView]) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for f in fields:
            value = f.value
            if f.key in _CHOICE_GROUPS and value:
                value = t(f"choice.{_CHOICE_GROUPS[f.key]}.{value}")
            elif f.key == "nationality" and (names := country_name(value)):  # 中国, not the ISO code CHN
                value = names[0] if language().startswith("zh") else names[1]
            if f.sensitive:
                value = (value or "—") + ("  " + t("person.revealed") if f.revealed else "  " + t("person.masked"))
            table.add_row(t(f"form.field.{f.key}"), value or "—")
        self.update(table)
