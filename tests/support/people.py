"""People, identity numbers and card dumps as the domain models serialise them (``model_dump(mode="json")``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from outreach.domain.identity import mod11_2_check


def citizen_id(area: str, born: date, seq: int, female: bool) -> str:
    """An 18-digit resident identity number with a correct GB 11643 check digit (the domain's).

    ``seq`` picks the two-digit order code; the third digit says the gender (odd male, even female)."""
    body = f"{area}{born:%Y%m%d}{seq % 100:02d}{2 if female else 1}"
    return body + mod11_2_check(body)


def person_payload(name: str = "王小明", number: str = "460106195001010018", **extra: Any) -> dict[str, Any]:
    """A Person dump with a fresh random id."""
    person = {
        "person_id": str(uuid.uuid4()),
        "name": name,
        "gender": "1",
        "ethnicity": "01",
        "birth_date": "1950-01-01",
        "nationality": "CHN",
        "document": {"doc_type": "resident_id", "number": number, "valid_from": None, "valid_until": None},
        "ss_number": number,
        "mobile": "13800138000",
        "occupation": None,
        "address": "海南省海口市龙华区新坡镇",
        "area_code": "460106",
        "photo_ref": None,
        "hardship": "none",
        "agent": None,
        "deceased_on": None,
    }
    person.update(extra)
    return person


def card_dump(person_id: str, status: str = "applied", number: str | None = None, **extra: Any) -> dict[str, Any]:
    """A CardState dump in ``status``, with the dates that status implies (accepted 2024-05-06, issued
    2024-06-01, collected 2024-06-20, valid to 2034-06-01). The card id is derived from the person and the
    status unless ``card_id`` is given."""
    card: dict[str, Any] = {
        "card_id": str(uuid.uuid5(uuid.NAMESPACE_OID, person_id + status)),
        "person_id": person_id,
        "status": status,
        "bank_activated": status in ("active", "temp_lost", "lost"),
        "card_number": number,
        "generation": "3",
        "accepted_on": "2024-05-06",
        "issued_on": "2024-06-01" if status != "applied" else None,
        "expires_on": "2034-06-01" if status != "applied" else None,
        "collected_on": "2024-06-20" if status not in ("applied", "ready") else None,
        "temp_loss_period": None,
        "temp_loss_since": None,
        "lost_on": None,
        "replacement_applied": False,
        "cancelled_on": None,
        "reason": "first",
        "electronic": False,
    }
    if status == "temp_lost":
        card |= {"temp_loss_period": "long", "temp_loss_since": "2026-11-20"}
    if status == "lost":
        card |= {"lost_on": "2026-11-20"}
    card.update(extra)
    return card
