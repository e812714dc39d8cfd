"""Receipts of every kind, rendered to PDF and read back with pdftotext: the Chinese words, the masked identity
number, the fee decision and the dates the domain computed; English on request; A5 and the 80 mm roll."""

from __future__ import annotations

import re
import subprocess

import pytest

from outreach.domain import PersonCards
from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.deadlines import bank_closure_due, issue_due, lift_due, recall_due
from outreach.i18n import CATALOGUES
from outreach.receipts.content import RECEIPT_KINDS
from outreach.services.receipts import ReceiptProblem
from tests.receipts.receipt_support import DAY, PERSON, pdf_text

ZH = CATALOGUES["zh_CN"]
EN = CATALOGUES["en"]


def zh_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def flat(text: str) -> str:
    """pdftotext breaks lines where the PDF wraps them: compare without line breaks and spaces."""
    return re.sub(r"\s+", "", text)


def test_every_receipt_kind_has_an_operation(every_kind):
    assert set(every_kind) == set(RECEIPT_KINDS)


@pytest.mark.parametrize("kind", sorted(RECEIPT_KINDS))
def test_receipt_of_every_kind_reads_back_in_chinese(receipts, ctx, every_kind, person_id, kind):
    op = every_kind[kind]
    text = flat(pdf_text(receipts.pdf(op.op_id)))
    number = ctx.session.vault.get_person(person_id).document.number
    assert flat(ZH["receipt.title"]) in text
    assert ZH[f"kind.{kind}"] in text
    assert PERSON in text
    assert number not in text  # never the whole identity number on paper
    assert number[:3] + "*" * (len(number) - 7) + number[-4:] in text
    assert "0898-12333" in text
    assert flat(ZH["receipt.duty.keep_safe"]) in text  # Art. 37 in plain words
    assert flat(ZH["receipt.duty.no_withholding"]) in text  # Art. 39
    assert "w-test" in text  # which worker
    receipt = receipts.receipt(op.op_id)
    assert flat(receipt.short_code) in text


def _card_after(op, kind_status):
    cards = PersonCards.model_validate(op.payload["cards"])
    return next(c for c in reversed(cards.cards) if c.status.value == kind_status)


def test_dates_are_the_domains(receipts, every_kind):
    cal = WorkingDayCalendar()
    apply = every_kind["card.apply"]
    expected_issue = issue_due(DAY, cal)
    assert receipts.receipt(apply.op_id).due["issue"] == expected_issue
    assert zh_date(expected_issue) in flat(pdf_text(receipts.pdf(apply.op_id)))

    loss = every_kind["card.loss_temporary"]  # the 15-day report: lifts itself on its date
    assert _card_after(loss, "temp_lost").temp_loss_since == DAY
    text = flat(pdf_text(receipts.pdf(loss.op_id)))
    assert zh_date(lift_due(DAY)) in text
    assert flat(ZH["receipt.next.lift_temporary"].split("{date}")[0]) in text

    issued = every_kind["card.issue"]  # collect within 180 days or the card is recalled
    assert zh_date(recall_due(DAY)) in flat(pdf_text(receipts.pdf(issued.op_id)))

    cancel = every_kind["card.cancel"]  # close the bank account within 180 days
    closure = receipts.receipt(cancel.op_id).due["bank_account_closure"]
    assert closure == bank_closure_due(_card_after(cancel, "cancelled").cancelled_on, cal)
    assert zh_date(closure) in flat(pdf_text(receipts.pdf(cancel.op_id)))
    assert "符小明" in flat(pdf_text(receipts.pdf(cancel.op_id)))  # the agent who came


def test_fee_decision_of_art_24(receipts, every_kind):
    free = flat(pdf_text(receipts.pdf(every_kind["card.apply"].op_id)))
    assert flat(ZH["receipt.fee.free"].split("{")[0]) in free
    assert "首次申领社会保障卡" in free
    charged = flat(pdf_text(receipts.pdf(every_kind["card.replace"].op_id)))
    assert flat(ZH["receipt.fee.charged"].split("{")[0]) in charged
    none = flat(pdf_text(receipts.pdf(every_kind["card.unlock"].op_id)))
    assert flat(ZH["receipt.fee.none"]) in none


def test_english_on_request(receipts, every_kind):
    op = every_kind["card.apply"]
    text = " ".join(pdf_text(receipts.pdf(op.op_id, lang="en")).split())
    assert EN["receipt.title"] in text
    assert "Hotline: 0898-12333" in text
    assert issue_due(DAY, WorkingDayCalendar()).isoformat() in text
    assert ZH["receipt.title"] not in text


def test_visit_receipt_says_the_outcome(receipts, every_kind):
    text = flat(pdf_text(receipts.pdf(every_kind["visit.log"].op_id)))
    assert ZH["outcome.done"] in text


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", "-"], input=data, capture_output=True, check=True)
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out.stdout.decode())]


def _smallest_text_height(data: bytes) -> float:
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', out)]
    return min(heights)


@pytest.mark.parametrize(("paper", "width_mm"), [("a5", 148), ("roll80", 80)])
def test_paper_sizes_and_large_print(receipts, every_kind, paper, width_mm):
    data = receipts.pdf(every_kind["card.apply"].op_id, paper=paper)
    sizes = _page_sizes(data)
    assert sizes
    assert all(abs(w / 72 * 25.4 - width_mm) < 1 for w, _h in sizes)
    if paper == "roll80":
        assert len(sizes) == 1  # one strip of the roll, as long as the receipt
    assert _smallest_text_height(data) >= 14 - 1e-6  # at least 14 pt body text (glyph box = font size)
    assert "WenQuanYi" in subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()


def test_no_receipt_for_an_audit_entry(receipts, ctx, person_id):
    op = ctx.session.vault.append("audit.reveal", person_id, {"field": "mobile", "screen": "person"})
    with pytest.raises(ReceiptProblem) as caught:
        receipts.pdf(op.op_id)
    assert caught.value.detail
    assert "回执" in caught.value.detail[0]


def test_missing_font_is_said_clearly(receipts, every_kind, monkeypatch, tmp_path):
    import outreach.receipts.pdf as pdf

    monkeypatch.setenv("OUTREACH_RECEIPT_FONT", str(tmp_path / "no-such-font.ttc"))
    monkeypatch.setattr(pdf, "_registered", None)
    with pytest.raises(ReceiptProblem) as caught:
        receipts.pdf(every_kind["card.apply"].op_id)
    assert "fonts-wqy-zenhei" in caught.value.detail[0]
    assert "font" in caught.value.detail[1]


def test_card_ready_date_counts_chinas_adjusted_workdays(receipts, ctx, person_id):
    """Accepted on Monday 14 September 2026: the 30 working days skip the Mid-Autumn holiday (Friday 25
    September) and National Day (1-7 October) and count the adjusted workdays Sunday 20 September and Saturday
    10 October (State Council notice on the 2026 holidays), so the card is due on Friday 30 October, counted by
    hand. Weekdays alone would give 26 October; the holidays without the adjusted workdays, 3 November."""
    import datetime as dt

    from outreach.domain import ApplicationForm, CardApply
    from tests.receipts.receipt_support import record

    vault = ctx.session.vault
    person = vault.get_person(person_id)
    form = ApplicationForm(name=person.name, gender=person.gender, birth_date=person.birth_date,
                           ethnicity=person.ethnicity or "01", document=person.document, photo_ref="photo")
    op = record(vault, person_id, CardApply(form=form), dt.date(2026, 9, 14))
    assert receipts.receipt(op.op_id).due["issue"] == dt.date(2026, 10, 30)
    text = flat(pdf_text(receipts.pdf(op.op_id)))
    assert "2026年10月30日" in text
    english = flat(pdf_text(receipts.pdf(op.op_id, lang="en")))
    assert "2026-10-30" in english
