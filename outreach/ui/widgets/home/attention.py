"""What needs the worker: rejected and conflicting operations first, then deadlines coming due."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from outreach.i18n import t
from outreach.services.views import HomeSummary
from outreach.ui.format import pick


class Attention(Static):
    def show(self, s: HomeSummary, limit: int = 6, deadline_limit: int = 20) -> None:
        text = Text()
        if s.issues:
            text.append("⚠ " + t("home.issues", count=len(s.issues)) + "\n", style="bold")
            for issue in s.issues[:limit]:
                mark = "✕" if issue.status == "rejected" else "⇄"
                word = t(f"issue.{issue.status}")
                text.append(f" {mark} {word} {issue.person_name} {t('kind.' + issue.kind)}: {pick(issue.message)}\n")
        if s.deadlines:
            text.append("⏰ " + t("home.deadlines", count=len(s.deadlines)) + "\n", style="bold")
            for d in s.deadlines[:deadline_limit]:
                when = t("deadline.overdue", n=-d.days_left) if d.days_left < 0 else t("deadline.in_days", n=d.days_left)
                text.append(f" • {d.due.isoformat()} ({when}) {d.person_name} {t('deadline.' + d.kind)} "
                            f"[{t('article', n=d.article)}]\n")
        if not s.issues and not s.deadlines:
            text.append("✓ " + t("home.nothing"))
        self.update(text)
