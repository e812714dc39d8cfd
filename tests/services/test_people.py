"""Finding people and the person page: masked until revealed, a reveal is an audit operation."""

from __future__ import annotations

from tests.support.context import PEOPLE, count_ops


def test_find_by_name_initials_and_digits(ctx):
    assert [h.name for h in ctx.people.find("王秀")] == ["王秀英"]
    assert [h.name for h in ctx.people.find("wxy")] == ["王秀英"]
    full = ctx.people.person(ctx.people.find("王秀英")[0].person_id).document.number
    assert [h.name for h in ctx.people.find(full)] == ["王秀英"]
    assert "王秀英" in [h.name for h in ctx.people.find(full[-6:])]
    hit = ctx.people.find("H46010001")[0]
    assert hit.name == "王秀英"
    assert hit.card_status == "active"
    assert full not in hit.id_masked
    assert ctx.people.find("  ") == []
    wide = "".join(chr(ord(c) + 0xFEE0) for c in full)  # typed with a Chinese input method
    assert [h.name for h in ctx.people.find(wide[-6:])] == [h.name for h in ctx.people.find(full[-6:])]
    assert [h.name for h in ctx.people.find("ｗｘｙ")] == ["王秀英"]
    assert [h.name for h in ctx.people.find("Ｈ４６０１０００１")] == ["王秀英"]


def test_page_is_masked_until_revealed(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    number = ctx.people.person(pid).document.number
    page = ctx.people.page(pid)
    shown = {f.key: f for f in page.fields}
    assert number not in shown["id_number"].value
    assert shown["id_number"].sensitive
    assert "1390898" not in shown["mobile"].value
    before = count_ops(ctx, "audit.reveal")
    ctx.people.reveal(pid, "id_number", screen="person")
    assert count_ops(ctx, "audit.reveal") == before + 1
    op = [o for o in ctx.session.vault.operations() if o.kind == "audit.reveal"][-1]
    assert op.subject == pid
    assert op.payload == {"field": "id_number", "screen": "person"}
    page = ctx.people.page(pid)
    assert {f.key: f for f in page.fields}["id_number"].value == number
    ctx.people.hide_all()
    assert number not in {f.key: f for f in ctx.people.page(pid).fields}["id_number"].value


def test_cards_from_the_center_are_not_provisional(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    card = ctx.people.page(pid).cards[0]
    assert card.status == "active"
    assert not card.provisional
    assert card.synced_at is not None
    ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
    card = ctx.people.page(pid).cards[0]
    assert card.status == "temp_lost"
    assert card.provisional


def test_each_seeded_person_is_found_once_and_a_single_digit_finds_nobody(ctx):
    hits = {name: [h.name for h in ctx.people.find(name)] for name, *_ in PEOPLE}
    assert hits == {name: [name] for name, *_ in PEOPLE}
    with_cards = sorted(name for name, _g, _b, _a, status, _n in PEOPLE if status)
    assert sorted(h.name for h in ctx.people.find("H460100")) == with_cards  # card-number prefix
    # every seeded identity number starts with 4 (Hainan): one digit is too short to search by, not "everyone"
    assert ctx.people.find("4") == []


def test_history_says_what_was_done_its_fee_and_the_centers_refusal(ctx):
    from outreach.i18n import CATALOGUES

    pid = ctx.people.find("王秀英")[0].person_id  # her card H46010001 is active
    result = ctx.cards.record(pid, "card.exchange", {"reason": "2", "document_checked": True,
                                                    "card_presented": True})
    assert result.saved, (result.errors, result.refusal)
    ctx.people.reveal(pid, "mobile")
    reveal, exchange = ctx.people.history(pid)[:2]
    assert (exchange.kind, exchange.detail_keys, exchange.fee_charged) == (
        "card.exchange", ("choice.exchange_reason.2",), True)
    assert exchange.pending
    assert exchange.issue is None
    assert reveal.detail_keys == ("form.field.mobile",)
    assert all(k in CATALOGUES["zh_CN"] for k in exchange.detail_keys + reveal.detail_keys)
    # the center refuses the exchange: the history says so, and it is no longer waiting to be sent
    ctx.session.vault.record_push_results([{"op_id": result.op_id, "status": "rejected", "code": "x"}])
    exchange = next(h for h in ctx.people.history(pid) if h.kind == "card.exchange")
    assert (exchange.issue, exchange.pending) == ("rejected", False)
