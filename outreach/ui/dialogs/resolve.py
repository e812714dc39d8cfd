"""A rejected or conflicting operation as base, mine and theirs, with who and when, and the worker's choice.

Returns the choice (``mine``, ``theirs``, ``new``; ``merge`` for a duplicate registration) or None. Every side is in words: the cards with their
status, or the person's fields that differ, identity and mobile numbers masked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from outreach.i18n import t
from outreach.services.views import OpIssue, Resolution, SideCard, SideChange
from outreach.ui.base import BaseModal
from outreach.ui.format import pick


def _card_line(card: SideCard) -> str:
    parts = [card.card_number or t("resolve.no_number"), t(f"status.{card.status}") if card.status else "?"]
    if card.bank_activated:
        parts.append(t("resolve.bank_on"))
    return " · ".join(parts)


def _cards(cards: list[SideCard] | None) -> list[str]:
    if cards is None:
        return [t("resolve.unknown")]
    return [_card_line(c) for c in cards] or [t("resolve.no_card")]


def _person(fields: dict[str, str] | None) -> list[str]:
    if fields is None:
        return [t("resolve.unknown")]
    if not fields:
        return [t("resolve.nothing")]
    return [f"{_label(k)}: {v or '—'}" for k, v in fields.items()]


def _label(key: str) -> str:
    text = t(f"form.field.{key}")
    return key if text == f"form.field.{key}" else text


def _change(change: SideChange) -> str:
    who = t("resolve.by", who=change.worker_id or "?", when=change.when or "?")
    return f"{t('kind.' + change.kind)}\n  {who}"


def sides(issue: OpIssue) -> tuple[list[str], list[str], list[str]]:
    """The three columns' lines: base, mine, theirs."""
    person = issue.mine_person is not None
    base = _person(issue.base_person) if person else _cards(issue.base_cards)
    mine = [_change(issue.mine_change)] if issue.mine_change else []
    if person:
        mine += _person(issue.mine_person)
    else:
        mine += [t("resolve.after"), *_cards(issue.mine_cards)]
    theirs = _cards(issue.theirs_cards) if issue.theirs_cards is not None or not person else []
    if person and issue.theirs_person is not None:  # the center's value mine overwrote
        theirs += [t("resolve.center_value"), *_person(issue.theirs_person)]
    if issue.theirs_changes:
        theirs += [t("resolve.changes"), *[_change(c) for c in issue.theirs_changes]]
    return base, mine, theirs or [t("resolve.nothing")]


def outcome(issue: OpIssue, done: Resolution) -> str:
    """What the choice did, in words: the value or cards now on this laptop, and what the next sync does."""
    if done.restored:
        now = "; ".join(_person(done.restored))
    elif done.cards is not None:
        now = "; ".join(_cards(done.cards))
    else:
        now = ""
    if done.choice == "merge":  # what was re-made on the registered person, and what the rules refused now
        refused = "；".join(f"{t('kind.' + kind)}（{pick(why)}）" for kind, why in done.refused)
        return t("resolve.done_merge", name=issue.person_name, count=done.remade,
                 refused=t("resolve.merge_refused", items=refused) if refused else "") + (f" {now}" if now else "")
    key = {"mine": "resolve.done_mine", "theirs": "resolve.done_theirs"}.get(done.choice, "resolve.done_new")
    return t(key, name=issue.person_name, kind=t("kind." + issue.kind), now=now or t("resolve.nothing"))


def is_duplicate(issue: OpIssue) -> bool:
    """An issue of a record the center refused because it holds the person already (Art. 3, 5): the
    registration or a later operation on the duplicate, all settled together by merging."""
    return issue.duplicate_of is not None


class ResolveDialog(BaseModal[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel"),
        Binding("1", "choose('mine')", "resolve.mine"),
        Binding("2", "choose('theirs')", "resolve.theirs"),
        Binding("3", "choose('new')", "resolve.new"),
        Binding("4", "choose('merge')", "resolve.merge"),
    ]

    def __init__(self, issue: OpIssue) -> None:
        super().__init__(classes="dialog resolve")
        self.issue = issue

    def compose(self) -> ComposeResult:
        issue = self.issue
        base, mine, theirs = sides(issue)
        with Vertical(classes="dialog-box wide"):
            yield Label(f"{t('issue.' + issue.status)} — {issue.person_name} {t('kind.' + issue.kind)}",
                        classes="dialog-title")
            yield Static(pick(issue.message) or issue.code)
            if issue.theirs_changes:  # how many changes the center had that this laptop had not seen, in words
                yield Static(t("resolve.versions", count=len(issue.theirs_changes)), classes="form-note")
            with Horizontal(id="sides"):
                for title, lines, side_id in ((t("resolve.base_side"), base, "side-base"),
                                              (t("resolve.mine_side"), mine, "side-mine"),
                                              (t("resolve.theirs_side"), theirs, "side-theirs")):
                    with VerticalScroll(classes="side", id=side_id):
                        yield Label(title, classes="form-section")
                        yield Static("\n".join(lines), markup=False, classes="side-lines")
            if is_duplicate(issue):
                yield Static(t("resolve.merge_note"), classes="form-note", id="merge-note")
            with Horizontal(classes="buttons"):
                if is_duplicate(issue):  # sending it again or taking the center's cannot make one record
                    yield Button("4 " + t("resolve.merge"), id="merge", variant="primary")
                else:
                    yield Button("1 " + t("resolve.mine"), id="mine")
                    yield Button("2 " + t("resolve.theirs"), id="theirs", variant="primary")
                yield Button("3 " + t("resolve.new"), id="new")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        if choice in self._offered():  # a key for a choice this issue does not offer does nothing
            self.dismiss(choice)

    def _offered(self) -> set[str]:
        return {"merge", "new"} if is_duplicate(self.issue) else {"mine", "theirs", "new"}

    def action_cancel(self) -> None:
        self.dismiss(None)
