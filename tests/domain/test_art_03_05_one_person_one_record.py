"""Art. 3 (one person, one card) and Art. 5 (the social security number is unique nationwide): a stable key of
the person from their number, the same for every registration of the same person."""

from __future__ import annotations

from outreach.domain import DocType, IdentityDocument, Person
from outreach.domain.person_data import person_key, person_keys
from tests.support.domain import citizen, doc


def test_art_05_same_number_same_key_whatever_the_spelling_or_document():
    number = citizen(birth="20120304", seq="015")
    a = person_key(doc(number))
    assert person_key(doc(number.lower())) == a
    assert person_key(doc(" ".join([number[:6], number[6:14], number[14:]]))) == a
    assert person_key(doc(number, DocType.HOUSEHOLD_REGISTER)) == a  # the same citizen number
    assert person_key(doc(number), ss_number=number) == a  # a citizen's SSN is the citizen number
    assert person_key(doc(citizen(seq="023"))) != a


def test_art_05_the_key_does_not_contain_the_number():
    number = citizen()
    key = person_key(doc(number))
    assert number not in key
    assert number[6:14] not in key


def test_art_05_a_foreigner_is_known_by_document_and_by_ssn():
    passport = IdentityDocument(doc_type=DocType.PASSPORT, number="E12345678")
    person = Person(name="JOHN SMITH", gender="1", birth_date="1980-01-01", nationality="USA",
                    document=passport, ss_number="X46000001")  # fmt: skip
    keys = person_keys(person)
    assert person_key(passport) in keys
    assert person_key(passport, "X46000001") in keys
    other = IdentityDocument(doc_type=DocType.HKMO_TRAVEL_PERMIT, number="E12345678")
    assert person_key(other) != person_key(passport)  # different documents may share a number


def test_art_05_an_old_15_digit_number_gives_the_key_of_its_18_digit_form_as_document_and_as_ssn():
    from outreach.domain.identity import check_identity

    old = "460100450312017"  # the 15-digit number of 1945-03-12, seq 017
    new = check_identity(old, DocType.RESIDENT_ID).normalized
    assert len(new) == 18
    key = person_key(doc(new))
    assert person_key(doc(old)) == key
    assert person_key(doc(new), ss_number=old) == key
    assert person_key(doc(new), ss_number="４６０１００ ４５０３１２ ０１７") == key  # full width, spaces
