"""Every worker form: a valid entry is saved as one operation; each class of bad input is refused with the
right message and saves nothing."""

from __future__ import annotations

import pytest

from outreach.i18n import CATALOGUES
from tests.support.context import application_values, card_dump, count_ops, set_cards

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(JPEG)
    return str(path)


@pytest.fixture
def pid(ctx):
    """符亚明: a person from the center without a card."""
    return ctx.people.find("符亚明")[0].person_id


def give_card(ctx, pid, status, **extra):
    set_cards(ctx.session.vault, pid, [card_dump(pid, status, "H46010002", **extra)], version=5)


AGENT = {"agent_name": "符海", "agent_doc_type": "resident_id", "agent_doc_number": "460106198001010039",
         "agent_relationship": "儿子", "agent_proof": "relationship_proof"}

VALID = [
    ("card.deliver", "ready", {"method": "home_delivery", "document_checked": True}),
    ("card.bank_activate", "active", {"holder_present": True, "document_checked": True}),
    ("card.loss_temporary", "active", {"period": "long", "identity_verified": True}),
    ("card.loss_formal", "active", {"document_checked": True}),
    ("card.unlock", "temp_lost", {"document_checked": True, "card_presented": True}),
    ("card.replace", "lost", {"document_checked": True, "generation": "3"}),
    ("card.exchange", "active", {"reason": "3", "document_checked": True, "card_presented": True}),
    ("card.reissue", "active", {"changed": ["name"], "new_name": "符亚民", "evidence": "household_register",
                               "document_checked": True}),
    ("card.cancel", "active", {"deceased_on": "2026-11-20", "proof": "pledge", "card_presented": True, **AGENT}),
    ("person.update", None, {"mobile": "13800001111", "address": "海南省琼海市嘉积镇1号"}),
]


@pytest.mark.parametrize(("kind", "status", "values"), VALID, ids=[v[0] for v in VALID])
def test_a_valid_entry_is_saved_as_one_operation(ctx, pid, kind, status, values):
    if status is not None:
        extra = {"bank_activated": False} if kind == "card.bank_activate" else {}
        give_card(ctx, pid, status, **extra)
    version = ctx.session.vault.subject_version(pid)
    before = count_ops(ctx)
    result = ctx.cards.record(pid, kind, values)
    assert result.saved, (result.errors, result.refusal)
    assert count_ops(ctx) == before + 1
    op = list(ctx.session.vault.operations())[-1]
    assert op.kind == kind
    assert op.subject == pid
    assert op.base_version == version
    if kind.startswith("card."):
        assert set(op.payload) == {"event", "cards", "fee"}
        assert op.payload["event"]["kind"] == kind
        assert op.payload["cards"]["person_id"] == pid
    else:
        assert op.payload["person"]["mobile"] == "13800001111"


def test_first_application_registers_the_person_and_shows_the_fee(ctx, photo):
    result, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo))
    assert result.saved, (result.errors, result.refusal)
    kinds = [(o.kind, o.subject) for o in ctx.session.vault.operations()]
    assert kinds[-2:] == [("person.register", person_id), ("card.apply", person_id)]
    apply = list(ctx.session.vault.operations())[-1]
    assert apply.payload["fee"] is not None
    assert result.fee is not None
    assert result.fee_charged is False
    assert apply.payload["event"]["form"]["photo_ref"] not in (None, "pending")
    assert ctx.people.find("陈玉兰")[0].person_id == person_id


def test_application_for_a_known_person(ctx, pid, photo):
    values = ctx.cards.prefill(pid) | {"photo_path": photo, "bank_account_opened": True}
    result = ctx.cards.record(pid, "card.apply", values)
    assert result.saved, (result.errors, result.refusal)
    assert ctx.people.page(pid).cards[0].status == "applied"


def _messages(result):
    return {e.field: (e.message.zh, e.message.en, e.article) for e in result.errors}


BAD_APPLICATIONS = [
    ("missing name", {"name": ""}, "name", "form.err.required"),
    ("bad date", {"birth_date": "1942-02-31"}, "birth_date", "form.err.date"),
    ("bad choice", {"gender": "x"}, "gender", "form.err.choice"),
    ("control character", {"address": "云龙镇\x075号"}, "address", "form.err.control"),
    ("bad check digit", {"doc_number": "46010719420930002X"}, "doc_number", None),
    ("photo missing for an adult", {"photo_path": ""}, "photo_path", None),
    ("photo not an image", {"photo_path": "TEXTFILE"}, "photo_path", "form.err.photo_type"),
    ("photo path wrong", {"photo_path": "/nonexistent/photo.jpg"}, "photo_path", "form.err.photo_unreadable"),
    ("agent without document", {"agent_name": "陈明"}, "agent_doc_number", "form.err.agent_document"),
]


@pytest.mark.parametrize(("case", "changes", "field", "key"), BAD_APPLICATIONS, ids=[b[0] for b in BAD_APPLICATIONS])
def test_bad_application_is_refused_and_saves_nothing(ctx, photo, tmp_path, case, changes, field, key):
    if changes.get("photo_path") == "TEXTFILE":
        text = tmp_path / "photo.txt"
        text.write_text("not a photo")
        changes = {"photo_path": str(text)}
    before = count_ops(ctx)
    result, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo) | changes)
    assert not result.saved
    assert person_id is None
    assert count_ops(ctx) == before
    messages = _messages(result)
    assert field in messages, messages
    zh, en, article = messages[field]
    if key is not None:
        assert zh == CATALOGUES["zh_CN"][key]
        assert en == CATALOGUES["en"][key]
    else:
        assert zh
        assert en
        assert article


BAD_EVENTS = [
    ("required", "card.cancel", "active", {"proof": "pledge", **AGENT}, "deceased_on", "form.err.required"),
    ("date", "card.cancel", "active", {"deceased_on": "20.11.2026", "proof": "pledge", **AGENT}, "deceased_on",
     "form.err.date"),
    ("choice", "card.loss_temporary", "active", {"period": "30d"}, "period", "form.err.choice"),
    ("reissue needs a key field", "card.reissue", "active", {"changed": [], "evidence": "household_register"},
     "changed", "form.err.required"),
    ("control", "person.update", None, {"address": "bad\x1bvalue"}, "address", "form.err.control"),
]


@pytest.mark.parametrize(("case", "kind", "status", "values", "field", "key"), BAD_EVENTS, ids=[b[0] for b in BAD_EVENTS])
def test_bad_event_input_is_refused_and_saves_nothing(ctx, pid, case, kind, status, values, field, key):
    if status:
        give_card(ctx, pid, status)
    before = count_ops(ctx)
    result = ctx.cards.record(pid, kind, values)
    assert not result.saved
    assert count_ops(ctx) == before
    assert _messages(result)[field][0] == CATALOGUES["zh_CN"][key]


#: The domain's refusals about one input land under the field that fills it (``Refusal.field`` through the
#: form spec), with the domain's own words; nothing is saved.
REFUSED_AT_A_FIELD = [
    ("cancel without agent", "card.cancel", "active", {"deceased_on": "2026-11-20", "proof": "pledge"},
     "agent_name", "agent_required"),
    ("collection by an agent without one", "card.deliver", "ready", {"method": "agent"}, "agent_name",
     "agent_required"),
    ("agent under 16", "card.deliver", "ready",
     {"method": "agent", **AGENT, "agent_doc_number": "460106201501010013"}, "agent_doc_number", "agent_minor"),
    ("death in the future", "card.cancel", "active", {"deceased_on": "2027-01-02", "proof": "pledge", **AGENT},
     "deceased_on", "death_date_in_future"),
    ("holder absent, no agent", "card.bank_activate", "active", {"holder_present": False}, "holder_present",
     "holder_must_be_present"),
    ("identity not verified", "card.loss_temporary", "active", {"identity_verified": False}, "identity_verified",
     "identity_not_verified"),
    ("unlock without the card", "card.unlock", "temp_lost", {"card_presented": False}, "document_checked",
     "document_and_card_required"),
    ("expiry exchange without photo", "card.exchange", "active", {"reason": "1"}, "photo_path", "photo_required"),
    ("reissue without evidence", "card.reissue", "active", {"changed": ["name"], "new_name": "符亚民", "evidence": ""},
     "evidence", "change_evidence_required"),
    ("name change without the new name", "card.reissue", "active", {"changed": ["name"]}, "new_name",
     "new_name_required"),
    ("new social security number invalid", "card.reissue", "active",
     {"changed": ["ss_number"], "new_ss_number": "460106198001011235"}, "new_ss_number", "check_digit"),
    ("formal loss, document not checked", "card.loss_formal", "active", {"document_checked": False},
     "document_checked", "document_not_checked"),
]


@pytest.mark.parametrize(("case", "kind", "status", "values", "field", "code"), REFUSED_AT_A_FIELD,
                         ids=[r[0] for r in REFUSED_AT_A_FIELD])
def test_a_refusal_about_one_input_is_shown_under_it(ctx, pid, case, kind, status, values, field, code):
    give_card(ctx, pid, status, **({"bank_activated": False} if kind == "card.bank_activate" else {}))
    before = count_ops(ctx)
    result = ctx.cards.record(pid, kind, values)
    assert not result.saved
    assert count_ops(ctx) == before
    assert result.refusal is None
    assert result.refusal_code == code
    assert [e.field for e in result.errors] == [field]
    assert result.errors[0].message.zh
    assert result.errors[0].message.en
    assert result.errors[0].article


def test_the_agents_own_problems_land_under_the_agents_fields(ctx, photo):
    values = application_values(photo_path=photo) | AGENT | {"agent_name": "陈1明", "agent_mobile": "1234"}
    result, _ = ctx.cards.register_and_apply(values)
    fields = {e.field for e in result.errors}
    assert {"agent_name", "agent_mobile"} <= fields
    assert not fields & {"name", "mobile"}  # the holder's own fields are fine


REFUSED = [
    ("unlock an active card", "card.unlock", "active", {}),
    ("replace without formal loss", "card.replace", "active", {}),
    ("deliver a card not ready", "card.deliver", "applied", {"method": "in_person"}),
    ("loss report without a card", "card.loss_formal", None, {}),
]


@pytest.mark.parametrize(("case", "kind", "status", "values"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_event_explains_and_saves_nothing(ctx, pid, case, kind, status, values):
    if status:
        give_card(ctx, pid, status)
    before = count_ops(ctx)
    result = ctx.cards.record(pid, kind, values)
    assert not result.saved
    assert count_ops(ctx) == before
    assert result.refusal is not None
    assert result.refusal.zh
    assert result.refusal.en
    assert result.refusal_code


def test_one_person_one_card(ctx, photo):
    pid = ctx.people.find("王秀英")[0].person_id
    before = count_ops(ctx)
    result = ctx.cards.record(pid, "card.apply", ctx.cards.prefill(pid) | {"photo_path": photo})
    assert result.refusal_code == "one_person_one_card"
    assert count_ops(ctx) == before


def test_preview_gives_the_fee_and_writes_nothing(ctx, pid, photo):
    before = count_ops(ctx)
    people = len(ctx.people.find("王"))
    first = ctx.cards.preview(None, "card.apply", application_values(photo_path=photo))
    assert (first.saved, first.fee_charged, first.errors, first.refusal) == (False, False, [], None)
    assert first.fee is not None
    assert "首次" in first.fee.zh
    values = {"document_checked": True, "generation": "3"}
    no_card = ctx.cards.preview(pid, "card.replace", values)
    assert no_card.refusal is not None  # nothing to replace: refused, and no fee to announce
    assert no_card.fee is None
    give_card(ctx, pid, "lost")
    replace = ctx.cards.preview(pid, "card.replace", values)
    assert replace.fee_charged is True
    assert not replace.saved
    assert count_ops(ctx) == before
    assert len(ctx.people.find("王")) == people


def test_a_data_change_keeps_the_fields_it_does_not_send(ctx, pid):
    before = ctx.people.person(pid)
    assert before.address
    assert ctx.cards.record(pid, "person.update", {"mobile": "13833334444"}).saved
    after = ctx.people.person(pid)
    assert (after.mobile, after.address, after.occupation) == ("13833334444", before.address, before.occupation)
    assert ctx.cards.record(pid, "person.update", {"address": ""}).saved  # sent empty: cleared
    assert ctx.people.person(pid).address in (None, "")


def test_numbers_typed_full_width_are_stored_as_the_rules_read_them(ctx, pid, photo):
    values = application_values(photo_path=photo)
    number = values["doc_number"]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number[:6]) + " " + number[6:]
    result, new_pid = ctx.cards.register_and_apply(application_values(
        photo_path=photo, doc_number=wide, mobile="１３９ ０７５６ １２３４"))
    assert result.saved, (result.errors, result.refusal)
    person = ctx.people.person(new_pid)
    assert (person.document.number, person.mobile) == (number, "13907561234")
    assert [h.person_id for h in ctx.people.find(number)] == [new_pid]  # found by the number as printed
    assert ctx.cards.record(pid, "person.update", {"mobile": "＋８６ １３８－００００－２２２２"}).saved
    assert ctx.people.person(pid).mobile == "13800002222"


def test_a_data_change_with_a_bad_mobile_saves_nothing(ctx, pid):
    before = count_ops(ctx)
    result = ctx.cards.record(pid, "person.update", {"mobile": "1380000"})
    assert [e.field for e in result.errors] == ["mobile"]
    assert result.errors[0].message.zh
    assert count_ops(ctx) == before


def test_a_minority_name_typed_with_another_dot_is_stored_and_found_with_the_middle_dot(ctx, photo):
    result, pid = ctx.cards.register_and_apply(application_values(photo_path=photo, name=" 买买提•艾力"))
    assert result.saved, (result.errors, result.refusal)
    assert ctx.people.person(pid).name == "买买提·艾力"
    for typed in ("买买提·艾力", "买买提・艾力", "mmt"):
        assert [h.person_id for h in ctx.people.find(typed)] == [pid], typed


def test_art_03_05_a_second_registration_of_a_known_number_opens_the_person_and_saves_nothing(ctx, photo):
    first, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo))
    assert first.saved
    before = count_ops(ctx)
    number = application_values()["doc_number"]
    for typed in (number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}"):
        again, new_id = ctx.cards.register_and_apply(application_values(photo_path=photo, doc_number=typed,
                                                                        name="陈玉兰", mobile="13800001111"))
        assert not again.saved
        assert new_id is None
        assert again.existing_person_id == person_id
        assert [e.field for e in again.errors] == ["doc_number"]
        assert "陈玉兰" in again.errors[0].message.zh
    # the dry run the form makes while typing says so too, before the worker saves
    assert ctx.cards.preview(None, "card.apply", application_values(photo_path=photo)).existing_person_id == person_id
    assert count_ops(ctx) == before


def test_art_05_a_household_register_of_the_same_citizen_number_is_the_same_person(ctx, photo):
    _, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo))
    again, _ = ctx.cards.register_and_apply(application_values(photo_path=photo, doc_type="household_register"))
    assert again.existing_person_id == person_id


def test_art_05_another_number_is_another_person(ctx, photo):
    from datetime import date

    from tests.support.context import citizen_id

    ctx.cards.register_and_apply(application_values(photo_path=photo))
    other = citizen_id("460107", date(1942, 9, 30), 26, True)
    result, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo, doc_number=other))
    assert result.saved
    assert result.existing_person_id is None
    assert person_id is not None


def test_art_45_a_doubt_of_the_rules_reaches_the_worker_before_and_after_saving(ctx, photo):
    from datetime import date

    from tests.support.context import citizen_id

    agent = {"agent_name": "符海", "agent_relationship": "孙子",
             "agent_doc_number": citizen_id("460106", date(2009, 6, 1), 11, False)}  # 17: must be self-supporting
    values = application_values(photo_path=photo) | agent
    preview = ctx.cards.preview(None, "card.apply", values)
    assert not preview.errors
    assert any("18" in w.zh for w in preview.warnings)
    result, _ = ctx.cards.register_and_apply(values)
    assert result.saved
    assert result.warnings == preview.warnings


def test_art_10_a_new_person_is_filed_under_the_county_of_their_number(ctx, photo):
    _, person_id = ctx.cards.register_and_apply(application_values(photo_path=photo))
    assert ctx.people.person(person_id).area_code == "460107"  # 琼山区, not the province
    assert ctx.cards.facts_from_number("resident_id", application_values()["doc_number"]) == {
        "birth_date": "1942-09-30", "gender": "2"}
    assert ctx.cards.facts_from_number("resident_id", "46010719420930002") == {}  # one digit short
    assert ctx.cards.facts_from_number("passport", "E12345678") == {}
