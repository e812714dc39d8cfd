"""The read-back before an irreversible event (M9): whose card, what happens, the fee, then confirm.

The operation log is append-only, so a formal loss, a cancellation, a replacement, an exchange or a reissue
recorded for the wrong person or with a typo stays for good. Like ODK Collect's "Finalize" and CommCare's form
summary, the form ends here: the worker reads this to the person (or the agent), and only an explicit
confirmation records it. When the proof of death is a pledge (告知承诺制, Art. 27) the pledge text is shown and
the confirmation waits until the worker says it was read and signed. ``Esc`` goes back to the form with
everything kept. Returns True to record, False to go back.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Select, Static

from outreach.i18n import t
from outreach.services.views import Review
from outreach.ui.base import BaseModal
from outreach.ui.format import pick


def review_lines(review: Review) -> list[str]:
    """The read-back in the worker's language (masked numbers only)."""
    result = review.result
    whose = review.whose
    lines = [t("review.whose", name=whose.name, id=whose.id_masked)]
    if whose.card_masked:
        lines.append(t("review.card", card=whose.card_masked, status=t(f"status.{whose.card_status}")))
    else:
        lines.append(t("review.no_card"))
    lines.append(t("review.what", what=pick(review.what)))
    if result.fee is not None:
        word = t("fee.charged") if result.fee_charged else t("fee.free")
        lines.append(t("review.fee", word=word, reason=pick(result.fee)))
    lines.append(t("review.final"))
    return lines


class ReviewDialog(BaseModal[bool]):
    BINDINGS = [Binding("escape", "back", "review.back")]

    def __init__(self, review: Review) -> None:
        super().__init__(classes="dialog review")
        self.review = review

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            yield Label(t("review.title", form=t(f"form.title.{self.review.kind}")), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(review_lines(self.review)), id="review-text")
                if self.review.pledge is not None:
                    yield Static(t("review.pledge_title"), classes="pledge-title")
                    yield Static(pick(self.review.pledge), id="pledge-text")
                    with Horizontal(classes="form-row"):
                        yield Label(t("review.pledge_ack"), classes="form-label wide-label")
                        yield Select([(t("choice.yes"), "yes"), (t("choice.no"), "no")], value="no",
                                     allow_blank=False, id="pledge-ack", compact=True)
                    yield Static("", id="pledge-needed")
            with Horizontal(classes="buttons"):
                yield Button(t("review.confirm"), id="confirm", variant="warning")
                yield Button(t("review.back"), id="back")

    def on_mount(self) -> None:
        if self.review.pledge is not None:
            self.query_one("#pledge-ack", Select).focus()
        else:
            self.query_one("#confirm", Button).focus()

    @property
    def acknowledged(self) -> bool:
        if self.review.pledge is None:
            return True
        return self.query_one("#pledge-ack", Select).value == "yes"

    @on(Select.Changed, "#pledge-ack")
    def _ack_changed(self) -> None:
        if self.acknowledged:
            self.query_one("#pledge-needed", Static).update("")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.dismiss(False)
            return
        if not self.acknowledged:  # the pledge must be read and signed before a cancellation rests on it
            self.query_one("#pledge-needed", Static).update(t("review.pledge_needed"))
            self.query_one("#pledge-ack", Select).focus()
            return
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
