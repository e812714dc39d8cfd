"""Synthetic test data for the domain tests (all numbers computed, no real people)."""

from __future__ import annotations

from datetime import date
from typing import Any

from outreach.domain import (
    Agent,
    ApplicationForm,
    CardState,
    CardStatus,
    DocType,
    Gender,
    IdentityDocument,
    PersonCards,
    RuleContext,
    WorkingDayCalendar,
)
from outreach.domain.identity import mod11_2_check

TODAY = date(2026, 6, 1)
PERSON = "00000000-0000-4000-8000-000000000001"
CAL = WorkingDayCalendar()


def citizen(region: str = "460100", birth: str = "19900101", seq: str = "001") -> str:
    """A real-shaped citizen number with a correct check digit."""
    body = region + birth + seq
    return body + mod11_2_check(body)


def ctx(today: date = TODAY) -> RuleContext:
    return RuleContext(today=today, calendar=CAL)


def doc(number: str | None = None, doc_type: DocType = DocType.RESIDENT_ID) -> IdentityDocument:
    return IdentityDocument(doc_type=doc_type, number=number or citizen())


def agent(**kw: Any) -> Agent:
    data: dict[str, Any] = {
        "name": "李大海",
        "document": doc(citizen(birth="19700505", seq="013")),
        "relationship": "子女",
        "proof": "relationship_proof",
    }
    data.update(kw)
    return Agent(**data)


def form(**kw: Any) -> ApplicationForm:
    data: dict[str, Any] = {
        "name": "王小明",
        "gender": Gender.MALE,
        "ethnicity": "01",
        "birth_date": date(1990, 1, 1),
        "document": doc(),
        "photo_ref": "photo-1",
        "mobile": "13800000000",
    }
    data.update(kw)
    return ApplicationForm(**data)


def card(status: CardStatus = CardStatus.ACTIVE, **kw: Any) -> CardState:
    data: dict[str, Any] = {
        "card_id": kw.pop("card_id", f"card-{status.value}"),
        "person_id": PERSON,
        "status": status,
        "accepted_on": date(2025, 1, 2),
        "reason": "first",
    }
    if status not in (CardStatus.APPLIED,):
        data.update(issued_on=date(2025, 2, 3), expires_on=date(2035, 2, 3))
    if status not in (CardStatus.APPLIED, CardStatus.READY, CardStatus.RECALLED):
        data.update(collected_on=date(2025, 2, 10))
    data.update(kw)
    return CardState(**data)


def state(*cards: CardState) -> PersonCards:
    return PersonCards(person_id=PERSON, cards=list(cards), version=len(cards))
