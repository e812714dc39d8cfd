"""What a person's identity number says about them, the stable key of "one person, one record", and the person
record after a reissue. Nothing here raises.

- :func:`facts_from_number`: birth date, gender and region from a valid citizen or residence-permit number
  (Art. 10 (二): the form fills them instead of asking for them again).
- :func:`area_code_for`: the region a new person is filed under: the county of a Hainan number, else the
  worker's area (a number from another province names where the person was registered at birth, not the Hainan
  agency that serves them).
- :func:`person_key`: Art. 5 "社会保障号码在全国范围内每人唯一": the key of a person from their social security
  number, or their document number when they have none yet. Resident ID and household register carry the same
  citizen number, so they give the same key.
- :func:`reissued_person`: Art. 23: the new name, document or social security number of a reissue becomes the
  person's data.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from outreach.domain.enums import DocType, Gender
from outreach.domain.events import CardReissue
from outreach.domain.identity import check_identity, normalize
from outreach.domain.models import IdentityDocument, Person

#: Namespace of :func:`person_key` (fixed forever: changing it changes every key).
PERSON_KEY_NAMESPACE = uuid.UUID("2b7e52c4-3f0a-5c61-9d1e-46e0c0a55d10")
#: Documents numbered with the 18-character citizen number (the SSN of their holders, Art. 5).
CITIZEN_NUMBER_DOCS = frozenset(
    {DocType.RESIDENT_ID, DocType.HOUSEHOLD_REGISTER, DocType.HKMO_TW_RESIDENCE_PERMIT}
)
HAINAN_PROVINCE = "460000"


class IdentityFacts(BaseModel):
    """What a valid number encodes (None where it encodes nothing)."""

    model_config = ConfigDict(frozen=True)

    doc_type: DocType | None = None
    normalized: str = ""
    birth_date: date | None = None
    gender: Gender | None = None
    region_code: str | None = None
    region_name: str | None = None


def facts_from_number(number: str, doc_type: DocType | None = None, *, today: date) -> IdentityFacts | None:
    """The birth date, gender and region of a *valid* number of a document that encodes them (citizen number,
    residence permit), or None when the number is invalid or encodes nothing (passport, travel permits)."""
    result = check_identity(number, doc_type, today=today)
    if not result.valid or result.birth_date is None:
        return None
    if result.doc_type not in CITIZEN_NUMBER_DOCS:
        return None  # the 2023 permanent-residence number's date position is not certain (see identity)
    return IdentityFacts(
        doc_type=result.doc_type,
        normalized=result.normalized,
        birth_date=result.birth_date,
        gender=result.gender,
        region_code=result.region_code,
        region_name=result.region_name,
    )


def area_code_for(document: IdentityDocument, *, today: date, fallback: str = HAINAN_PROVINCE) -> str:
    """The area a new person is filed under: the Hainan county or city of their citizen number, else
    ``fallback`` (the worker's area, or the province)."""
    facts = facts_from_number(document.number, document.doc_type, today=today)
    if facts is None or facts.region_code is None or not facts.region_code.startswith("46"):
        return fallback
    return facts.region_code


def _key_number(doc_type: DocType, number: str) -> str:
    result = check_identity(number, doc_type)
    norm = result.normalized or normalize(number)
    if doc_type in CITIZEN_NUMBER_DOCS:
        return "citizen:" + norm  # resident ID and household register: one citizen number
    return f"{doc_type.value}:{norm}"


def _ss_number(ss_number: str) -> str:
    """A social security number as the key compares it: a citizen number (the SSN of a citizen, Art. 5) as
    its 18-character form, so a 15-digit old number or a lower-case x gives the key its document gives."""
    result = check_identity(ss_number, DocType.RESIDENT_ID)
    return result.normalized if result.valid and result.normalized else normalize(ss_number)


def person_key(document: IdentityDocument, ss_number: str | None = None) -> str:
    """A stable key of the person (UUID5 text): the same for two registrations of the same person. Never the
    number itself, so it can be stored and compared where identity numbers must not appear."""
    if ss_number:
        basis = "ssn:" + _ss_number(ss_number)
    elif document.doc_type in CITIZEN_NUMBER_DOCS:
        basis = "ssn:" + _key_number(document.doc_type, document.number).removeprefix("citizen:")
    else:
        basis = _key_number(document.doc_type, document.number)
    return str(uuid.uuid5(PERSON_KEY_NAMESPACE, basis))


def person_keys(person: Person) -> frozenset[str]:
    """Every key under which this person may be registered: by document and by social security number."""
    keys = {person_key(person.document), person_key(person.document, person.ss_number)}
    return frozenset(keys)


def reissued_person(person: Person, ev: CardReissue) -> Person:
    """The person record once an accepted reissue is applied (Art. 23): the new name, document and social
    security number it carries replace the old ones. Unchanged when the event carries none."""
    update: dict[str, object] = {}
    if "name" in ev.changed and ev.new_name:
        update["name"] = ev.new_name.strip()
    if ev.new_document is not None and ("doc_type" in ev.changed or "ss_number" in ev.changed):
        update["document"] = ev.new_document
        if ev.new_document.doc_type in CITIZEN_NUMBER_DOCS and not ev.new_ss_number:
            update["ss_number"] = None  # the citizen number is the SSN (Art. 5)
    if "ss_number" in ev.changed and ev.new_ss_number:
        update["ss_number"] = normalize(ev.new_ss_number)
    return person.model_copy(update=update) if update else person
