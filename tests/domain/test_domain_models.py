"""Model structure: frozen records, JSON round trips, the event union, structural refusals."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from outreach.domain import (
    CardApply,
    CardCancel,
    CardExchange,
    CardStatus,
    Person,
    PersonCards,
    Visit,
    VisitOutcome,
    parse_event,
)
from outreach.domain.operation import KINDS
from tests.support.domain import PERSON, agent, card, form, state


def test_every_event_kind_is_an_operation_kind():
    from typing import get_args

    from outreach.domain.events import LifecycleEvent

    union = get_args(get_args(LifecycleEvent)[0])
    kinds = {m.model_fields["kind"].default for m in union}
    assert kinds == {k for k in KINDS if k.startswith("card.")}


@pytest.mark.parametrize(
    "event",
    [
        CardApply(form=form(agent=agent())),
        CardExchange(reason=3),
        CardCancel(agent=agent(), deceased_on=date(2026, 1, 1), proof="pledge"),
    ],
)
def test_events_round_trip_through_json(event):
    data = event.model_dump(mode="json")
    assert data["kind"] == event.kind
    assert parse_event(data) == event


def test_unknown_event_kind_refused():
    with pytest.raises(ValidationError):
        parse_event({"kind": "card.teleport"})


def test_person_cards_round_trip_and_live_card():
    s = state(card(CardStatus.CANCELLED, card_id="a"), card(CardStatus.ACTIVE, card_id="b"))
    assert PersonCards.model_validate(s.model_dump(mode="json")) == s
    assert s.current().card_id == "b"
    with pytest.raises(ValidationError):
        s.cards[0].status = CardStatus.ACTIVE  # frozen


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "王\x00明"},
        {"name": "王" * 101},
        {"ethnicity": "1"},
        {"area_code": "46010"},
        {"nationality": "cn"},
        {"address": "海口市\n龙华区"},
    ],
)
def test_person_structural_refusals(changes):
    from tests.support.domain import doc

    data = {"name": "王小明", "gender": "1", "birth_date": date(1990, 1, 1), "document": doc()}
    Person(**data)
    with pytest.raises(ValidationError):
        Person(**{**data, **changes})


def test_visit_notes_allow_newlines_not_control_characters():
    v = Visit(person_id=PERSON, worker_id="w", day=date(2026, 1, 1), outcome=VisitOutcome.DONE, notes="a\nb")
    assert v.notes == "a\nb"
    with pytest.raises(ValidationError):
        Visit(person_id=PERSON, worker_id="w", day=date(2026, 1, 1), outcome=VisitOutcome.DONE, notes="a\x07")


def test_decide_raises_type_error_for_non_event():
    from outreach.domain import decide
    from tests.support.domain import ctx

    with pytest.raises(TypeError):
        decide(state(), object(), ctx())  # type: ignore[arg-type]


def test_planned_visit_may_lack_an_outcome_but_a_logged_one_may_not():
    plan = Visit(person_id=PERSON, worker_id="w", day=date(2026, 1, 1), planned=True)
    assert plan.outcome is None
    with pytest.raises(ValidationError, match="outcome"):
        Visit(person_id=PERSON, worker_id="w", day=date(2026, 1, 1))
