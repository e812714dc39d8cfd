"""The loop at the table, progress, close and resuming: card read or last digits -> the roster line -> one
record through the same decide() a home visit uses, with the session named; the same card twice records
nothing; exceptions; the close reconciliation and its manifest; a new service over the same vault resumes."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.services.bulkdays import BulkDayError, TableCard
from tests.bulkdays.conftest import FU, LI, WANG, staff
from tests.support.context import PASSPHRASE, count_ops, make_context


def ssn(ctx, person_id):
    return ctx.session.vault.get_person(person_id).ss_number


def test_a_card_read_opens_the_line_and_one_step_records_the_bank_activation(ctx, table):
    svc = ctx.bulkdays
    line = svc.open_line(table, card=TableCard(ssn=ssn(ctx, WANG), card_number="H46010001",
                                               expires_on=date(2034, 6, 1)))
    assert (line.person_id, line.need, line.blocked) == (WANG, "activation", None)
    number = ssn(ctx, WANG)
    assert number not in line.masked_id
    assert line.masked_id.endswith(number[-4:])
    assert "*" in line.masked_id
    done = svc.record(table, WANG, "bank_done")
    assert done.op_id is not None
    op = next(o for o in ctx.session.vault.operations(subject=WANG) if o.op_id == done.op_id)
    assert op.kind == "card.bank_activate"
    assert op.payload["session_id"] == table
    assert op.payload["event"]["holder_present"] is True
    assert ctx.session.vault.person_cards(WANG).current().bank_activated


def test_the_same_card_twice_says_when_and_records_nothing(ctx, table):
    svc = ctx.bulkdays
    svc.record(table, WANG, "bank_done")
    before = count_ops(ctx)
    line = svc.open_line(table, card=TableCard(ssn=ssn(ctx, WANG)))
    assert line.done is not None
    assert line.done.outcome == "activated"
    again = svc.record(table, WANG, "bank_done")
    assert again.already
    assert again.op_id is None
    assert "已于" in again.message[0]
    assert count_ops(ctx) == before


def test_last_digits_find_the_line_and_ambiguous_digits_ask_for_more(ctx, table):
    number = ctx.session.vault.get_person(LI).document.number
    line = ctx.bulkdays.open_line(table, digits=number[-6:])
    assert line.person_id == LI
    assert line.need == "hand_over"
    with pytest.raises(BulkDayError):
        ctx.bulkdays.open_line(table, digits="12")


def test_a_card_of_someone_not_on_the_roster_is_not_opened(ctx, table):
    stranger = staff(1, start=90)[0][3]
    with pytest.raises(BulkDayError) as err:
        ctx.bulkdays.open_line(table, card=TableCard(ssn=stranger))
    assert "名单" in err.value.zh


def test_an_expired_card_or_an_old_card_is_blocked_with_what_to_do(ctx, table):
    svc = ctx.bulkdays
    expired = svc.open_line(table, card=TableCard(ssn=ssn(ctx, WANG), expires_on=date(2020, 1, 1)))
    assert expired.blocked is not None
    assert "换领" in expired.blocked[0]
    old = svc.open_line(table, card=TableCard(ssn=ssn(ctx, WANG), card_number="H46019999"))
    assert old.blocked is not None
    assert "当前" in old.blocked[0]


def test_hand_over_first_then_activation_counts_once_as_activated(ctx, table):
    svc = ctx.bulkdays
    assert svc.record(table, LI, "hand_over").op_id is not None
    assert svc.open_line(table, card=TableCard(ssn=ssn(ctx, LI))).need == "activation"
    assert svc.record(table, LI, "bank_done").op_id is not None
    progress = svc.progress(table)
    assert progress.counts["activated"] == 1
    assert progress.counts["handed_over"] == 0


def test_a_refusal_of_the_rules_records_nothing(ctx, table):
    before = count_ops(ctx)
    result = ctx.bulkdays.record(table, FU, "bank_done")  # no card at all
    assert result.op_id is None
    assert result.message[0]
    assert count_ops(ctx) == before


def test_a_declined_activation_is_an_exception_with_its_next_step(ctx, table):
    svc = ctx.bulkdays
    with pytest.raises(BulkDayError):
        svc.record(table, WANG, "bank_declined", "  ")
    assert svc.record(table, WANG, "bank_declined", "银行人脸核验未通过").op_id is not None
    progress = svc.progress(table)
    assert progress.exceptions == 1
    assert progress.remaining == 6
    assert progress.roster == 7
    (exc,) = progress.exception_list
    assert exc.reason == "银行人脸核验未通过"
    assert exc.next_step[0]
    assert exc.name.startswith("王")
    assert "秀英" not in exc.name
    # the bank succeeds on a second try: activated, no longer an exception
    svc.record(table, WANG, "bank_done")
    assert svc.progress(table).exceptions == 0


def test_close_reconciles_and_the_manifest_lists_every_session_operation(ctx, table):
    svc = ctx.bulkdays
    svc.record(table, WANG, "bank_done")
    svc.record(table, LI, "hand_over")
    walk_in = svc.add_walk_in(table, {"name": "临时工", "doc_number": staff(1, start=80)[0][3]})
    svc.record(table, walk_in, "bank_declined", "未带身份证原件")
    manifest = svc.close(table)
    counts = manifest.counts()
    assert counts == {"activated": 1, "handed_over": 1, "applied": 0, "absent": 5, "exception": 1}
    assert sum(counts.values()) == len(svc.state(table).roster.entries) == 8
    vault = ctx.session.vault
    held = {o.op_id: o.hash for o in vault.operations()
            if o.subject == f"session:{table}" or o.payload.get("session_id") == table}
    close_op = next(o for o in vault.operations() if o.kind == "session.close")
    held.pop(close_op.op_id)
    assert dict(manifest.operations) == held
    with pytest.raises(BulkDayError):
        svc.record(table, FU, "bank_done")
    with pytest.raises(BulkDayError):
        svc.close(table)


def test_reopening_after_a_crash_resumes_where_it_was(ctx, table, tmp_path):
    ctx.bulkdays.record(table, WANG, "bank_done")
    before = ctx.bulkdays.progress(table)
    ctx.close()  # the battery dies: nothing but the vault file remains
    again = make_context(tmp_path / "v", create=False)
    again.session.unlock(PASSPHRASE)
    try:
        after = again.bulkdays.progress(table)
        assert (after.done, after.remaining, after.counts) == (before.done, before.remaining, before.counts)
        assert again.bulkdays.record(table, WANG, "bank_done").already
    finally:
        again.close()


def test_prepare_says_what_each_person_needs_and_finds_photos(ctx, table, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    fu_number = ctx.session.vault.get_person(FU).document.number
    (photos / f"{fu_number}.jpg").write_bytes(b"\xff\xd8\xff")
    lines = {line.person_id: line for line in ctx.bulkdays.prepare(table, photos)}
    assert lines[WANG].need == "activation"
    assert lines[LI].need == "hand_over"
    assert lines[FU].need == "application"
    assert lines[FU].photo == photos / f"{fu_number}.jpg"
    new = [line for pid, line in lines.items() if pid not in (WANG, FU, LI)]
    assert len(new) == 4
    assert all(line.need == "application" and line.photo is None for line in new)
    assert all("照片" in line.detail[0] for line in new)


def test_two_presses_at_once_record_one_activation(ctx, table):
    import threading

    results = []
    barrier = threading.Barrier(4)

    def press():
        barrier.wait()
        results.append(ctx.bulkdays.record(table, WANG, "bank_done"))

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for r in results if r.op_id is not None) == 1
    assert sum(1 for r in results if r.already) == 3
    assert count_ops(ctx, "card.bank_activate") == 1
