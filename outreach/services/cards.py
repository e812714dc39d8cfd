"""Recording what the worker did: registering a person, each card lifecycle event, non-key data changes.

Every form goes the same way: typed values -> checks of the form (required fields, dates, the domain's
Art. 10 checks) -> a domain event -> ``decide()`` against the person's cards -> if accepted, one operation
appended (payload ``{"event", "cards", "fee"}``); if refused, the :class:`Refusal` is returned and nothing is
saved. A photo file is stored as an attachment only once everything else has been accepted.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from outreach.domain.identity import normalize as normalize_document_number
from outreach.domain.names import normalize_name
from outreach.domain.numbers import check_mobile
from outreach.services import rules
from outreach.services._access import get
from outreach.services.clock import Clock
from outreach.services.errors import NotFound
from outreach.services.forms import SPECS, FormSpec
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, FieldError, SaveResult

Values = dict[str, Any]
#: Typed numbers stored as the rules read them: full-width characters (a Chinese input method types them)
#: folded, separators dropped, so that a later search by number finds them.
_NUMBER_FIELDS = frozenset({"doc_number", "agent_doc_number", "new_doc_number"})
_MOBILE_FIELDS = frozenset({"mobile", "agent_mobile"})
#: Names stored in one form (NFC, the middle dot of minority names as U+00B7), as search expects them.
_NAME_FIELDS = frozenset({"name", "agent_name"})
MAX_PHOTO_BYTES = 2 * 1024 * 1024

#: Where a refusal code of the domain's form checks points on the form.
_CODE_FIELDS = (
    ("agent", "agent_name"),
    ("guardian", "agent_name"),
    ("photo", "photo_path"),
    ("birth", "birth_date"),
    ("gender", "gender"),
    ("ethnic", "ethnicity"),
    ("national", "nationality"),
    ("mobile", "mobile"),
    ("valid", "valid_until"),
    ("doc_type", "doc_type"),
    ("document", "doc_number"),
    ("id_", "doc_number"),
    ("check_digit", "doc_number"),
    ("number", "doc_number"),
    ("name", "name"),
)
#: Rule refusals of ``decide`` that are about one input of the form: shown under that field.
_REFUSAL_FIELDS = {
    "photo_required": "photo_path",
    "agent_required": "agent_name",
    "birth_date_future": "birth_date",
    "death_date_in_future": "deceased_on",
    "change_evidence_required": "evidence",
    "document_not_checked": "document_checked",
    "document_and_card_required": "document_checked",
    "identity_not_verified": "identity_verified",
    "card_not_presented": "card_presented",
    "holder_must_be_present": "holder_present",
}
#: Where a pydantic error location points on the form.
_LOC_FIELDS = {
    "number": "doc_number",
    "doc_type": "doc_type",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "birth_date": "birth_date",
    "ethnicity": "ethnicity",
    "nationality": "nationality",
    "photo_ref": "photo_path",
}


def field_for_code(code: str) -> str:
    for needle, name in _CODE_FIELDS:
        if needle in code:
            return name
    return ""


def parse_date(value: Any) -> date | None:
    """``2024-05-01`` or ``20240501``; raises ValueError on anything else."""
    value = str(value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return date.fromisoformat(value)


class _Errors(list[FieldError]):
    def add(self, field: str, key: str, article: str = "", **params: object) -> None:
        self.append(FieldError(field, rules.both(key, **params), article))


class CardService:
    """One method per worker form; all return a :class:`SaveResult`."""

    def __init__(self, session: VaultSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    # --- shared checks -------------------------------------------------------------------------
    def _basic(self, spec: FormSpec, values: Values, errors: _Errors) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for f in spec.fields:
            raw = values.get(f.name, f.default)
            if f.kind == "bool":
                clean[f.name] = bool(raw)
                continue
            if f.kind == "multi":
                clean[f.name] = [v for v in (raw or []) if v in f.choices]
                if f.required and not clean[f.name]:
                    errors.add(f.name, "form.err.required", f.article)
                continue
            text = str(raw if raw is not None else "").strip()
            if f.required and not text:
                errors.add(f.name, "form.err.required", f.article)
                continue
            if f.kind == "select" and text and f.choices and text not in f.choices:
                errors.add(f.name, "form.err.choice", f.article)
                continue
            if f.kind == "date" and text:
                try:
                    clean[f.name] = parse_date(text)
                except ValueError:
                    errors.add(f.name, "form.err.date", f.article)
                continue
            if any(ord(c) < 0x20 for c in text):
                errors.add(f.name, "form.err.control", f.article)
                continue
            if text and f.name in _NAME_FIELDS:
                text = normalize_name(text)
            elif text and f.name in _NUMBER_FIELDS:
                text = normalize_document_number(text)
            elif text and f.name in _MOBILE_FIELDS:
                checked = check_mobile(text)
                text = checked.normalized if checked.valid else text
            clean[f.name] = text or None
        if spec.agent == "required" and not clean.get("agent_name"):
            errors.add("agent_name", "form.err.agent_required", spec.article)
        return clean

    def _agent(self, clean: dict[str, Any], errors: _Errors) -> dict[str, Any] | None:
        if not clean.get("agent_name"):
            return None
        if not clean.get("agent_doc_number"):
            errors.add("agent_doc_number", "form.err.agent_document", "10")
            return None
        if not clean.get("agent_relationship"):
            errors.add("agent_relationship", "form.err.required", "10")
            return None
        return {
            "name": clean["agent_name"],
            "document": {"doc_type": clean.get("agent_doc_type") or "resident_id", "number": clean["agent_doc_number"]},
            "relationship": clean["agent_relationship"],
            "proof": clean.get("agent_proof") or "relationship_proof",
            "mobile": clean.get("agent_mobile"),
        }

    def _photo(self, clean: dict[str, Any], errors: _Errors) -> tuple[bytes, str] | None:
        path = clean.get("photo_path")
        if not path:
            return None
        try:
            data = Path(path).expanduser().read_bytes()
        except OSError:
            errors.add("photo_path", "form.err.photo_unreadable", "10")
            return None
        if len(data) > MAX_PHOTO_BYTES:
            errors.add("photo_path", "form.err.photo_size", "10")
            return None
        if data.startswith(b"\xff\xd8\xff"):
            return data, "image/jpeg"
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return data, "image/png"
        errors.add("photo_path", "form.err.photo_type", "10")
        return None

    @staticmethod
    def _validation(exc: ValidationError, errors: _Errors, article: str) -> None:
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            name = next((_LOC_FIELDS[p] for p in reversed(loc) if p in _LOC_FIELDS), "")
            if "agent" in loc:
                name = "agent_doc_number" if name == "doc_number" else "agent_name"
            elif not name and loc and loc[-1] in ("name", "mobile", "occupation", "address"):
                name = loc[-1]
            errors.add(name, "form.err.invalid", article)

    # --- the forms -----------------------------------------------------------------------------
    def application_form(self, clean: dict[str, Any], agent: dict[str, Any] | None, photo_ref: str | None) -> Any:
        from outreach.domain.models import ApplicationForm

        return ApplicationForm.model_validate({
            "name": clean["name"],
            "gender": clean.get("gender") or "9",
            "ethnicity": clean.get("ethnicity") or "01",
            "birth_date": clean["birth_date"],
            "nationality": (clean.get("nationality") or "CHN").upper(),
            "document": {
                "doc_type": clean.get("doc_type") or "resident_id",
                "number": (clean.get("doc_number") or "").upper(),
                "valid_from": clean.get("valid_from"),
                "valid_until": clean.get("valid_until"),
            },
            "mobile": clean.get("mobile"),
            "occupation": clean.get("occupation"),
            "address": clean.get("address"),
            "photo_ref": photo_ref,
            "agent": agent,
            "lacks_full_capacity": bool(clean.get("lacks_full_capacity")),
        })

    def register_and_apply(self, values: Values, *, dry_run: bool = False) -> tuple[SaveResult, str | None]:
        """A new person and their first application (``person.register`` then ``card.apply``)."""
        from outreach.domain.models import Person, new_id

        person_id = new_id()
        result = self._apply(person_id, values, new_person=Person, dry_run=dry_run)
        return result, (person_id if result.saved else None)

    def record(self, person_id: str, kind: str, values: Values, *, dry_run: bool = False) -> SaveResult:
        """Record one lifecycle event (or ``person.update``) for an existing person.

        With ``dry_run`` every check runs and the fee decision is returned, but nothing is written.
        """
        if kind == "card.apply":
            return self._apply(person_id, values, new_person=None, dry_run=dry_run)
        if kind == "person.update":
            return SaveResult() if dry_run else self._update(person_id, values)
        spec = SPECS[kind]
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        errors = _Errors()
        clean = self._basic(spec, values, errors)
        agent = self._agent(clean, errors)
        photo = self._photo(clean, errors) if "photo_path" in clean else None
        if errors:
            return SaveResult(errors=list(errors))
        hardship = str(get(person, "hardship", "none"))
        data: dict[str, Any] = {"kind": kind}
        if kind == "card.deliver":
            data |= {"method": clean["method"], "document_checked": clean["document_checked"],
                     "electronic": clean["electronic"], "agent": agent}
            if clean["method"] == "agent" and agent is None:
                errors.add("agent_name", "form.err.agent_required", "12")
        elif kind == "card.bank_activate":
            data |= {"holder_present": clean["holder_present"], "document_checked": clean["document_checked"],
                     "agent": agent}
        elif kind == "card.loss_temporary":
            data |= {"period": clean["period"], "identity_verified": clean["identity_verified"]}
        elif kind in ("card.loss_formal",):
            data |= {"document_checked": clean["document_checked"]}
        elif kind == "card.unlock":
            data |= {"document_checked": clean["document_checked"], "card_presented": clean["card_presented"]}
        elif kind == "card.replace":
            data |= {"document_checked": clean["document_checked"], "generation": clean["generation"],
                     "hardship": hardship}
        elif kind == "card.exchange":
            reason = int(clean["reason"])
            data |= {"reason": reason, "hardship": hardship, "document_checked": clean["document_checked"],
                     "card_presented": clean["card_presented"], "photo_ref": "pending" if photo else None}
        elif kind == "card.reissue":
            new_doc = None
            if clean.get("new_doc_number"):
                new_doc = {"doc_type": clean.get("new_doc_type") or "resident_id",
                           "number": clean["new_doc_number"].upper()}
            data |= {"changed": clean["changed"], "evidence": clean["evidence"], "new_document": new_doc,
                     "hardship": hardship, "document_checked": clean["document_checked"]}
        elif kind == "card.return_old":
            data |= {"returned": clean["returned"], "hardship": hardship}
        elif kind == "card.cancel":
            data |= {"agent": agent, "deceased_on": clean["deceased_on"], "proof": clean["proof"],
                     "card_presented": clean["card_presented"]}
        if errors:
            return SaveResult(errors=list(errors))
        return self._decide_and_save(person_id, data, spec, photo, dry_run=dry_run)

    def preview(self, person_id: str | None, kind: str, values: Values) -> SaveResult:
        """What saving the form would give, without saving: its errors, a refusal, or the fee decision.

        The worker sees whether the card fee applies (Art. 24) before telling the person and saving.
        """
        if person_id is None:
            return self.register_and_apply(values, dry_run=True)[0]
        return self.record(person_id, kind, values, dry_run=True)

    def prefill(self, person_id: str) -> dict[str, Any]:
        """The form values of a recorded person (application for a known person, data change)."""
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        return _prefill(person)

    # --- internals -----------------------------------------------------------------------------
    def _apply(self, person_id: str, values: Values, new_person: Any, dry_run: bool = False) -> SaveResult:
        spec = SPECS["card.apply"]
        errors = _Errors()
        clean = self._basic(spec, values, errors)
        agent = self._agent(clean, errors)
        photo = self._photo(clean, errors)
        if errors:
            return SaveResult(errors=list(errors))
        try:
            form = self.application_form(clean, agent, "pending" if photo else None)
        except ValidationError as exc:
            self._validation(exc, errors, spec.article)
            return SaveResult(errors=list(errors))
        today = self._clock.today()
        for refusal in rules.check_form(form, today):
            code = str(get(refusal, "code", ""))
            errors.append(FieldError(field_for_code(code),
                                     Bilingual(get(refusal, "message_zh", code), get(refusal, "message_en", code)),
                                     str(get(refusal, "article", "")) or spec.article))
        if errors:
            return SaveResult(errors=list(errors))
        person_op = None
        if new_person is not None:
            try:
                person_op = new_person(
                    person_id=person_id, name=form.name, gender=form.gender, ethnicity=form.ethnicity,
                    birth_date=form.birth_date, nationality=form.nationality, document=form.document,
                    ss_number=form.document.number if form.document.doc_type in (
                        "resident_id", "household_register", "hkmo_tw_residence_permit") else None,
                    mobile=form.mobile, occupation=form.occupation, address=form.address,
                    hardship=clean.get("hardship") or "none", agent=form.agent,
                )
            except ValidationError as exc:
                self._validation(exc, errors, spec.article)
                return SaveResult(errors=list(errors))
        elif self._session.vault.get_person(person_id) is None:
            raise NotFound()
        data = {"kind": "card.apply", "form": form.model_dump(mode="json"),
                "hardship": clean.get("hardship") or "none",
                "bank_account_opened": bool(clean.get("bank_account_opened", True))}
        return self._decide_and_save(person_id, data, spec, photo, person_op=person_op, dry_run=dry_run)

    def _update(self, person_id: str, values: Values) -> SaveResult:
        spec = SPECS["person.update"]
        vault = self._session.vault
        person = vault.get_person(person_id)
        if person is None:
            raise NotFound()
        errors = _Errors()
        clean = self._basic(spec, values, errors)
        if clean.get("mobile") and "mobile" in values:
            for problem in check_mobile(clean["mobile"]).problems:
                errors.append(FieldError("mobile", Bilingual(get(problem, "message_zh", ""),
                                                             get(problem, "message_en", "")),
                                         str(get(problem, "article", "")) or spec.article))
        if errors:
            return SaveResult(errors=list(errors))
        try:
            updated = type(person).model_validate(
                # a field the form did not send stays as it was; one sent empty is cleared
                person.model_dump() | {k: clean.get(k) for k in ("mobile", "occupation", "address") if k in values}
            )
        except ValidationError as exc:
            self._validation(exc, errors, spec.article)
            return SaveResult(errors=list(errors))
        op = vault.append("person.update", person_id, {"person": updated.model_dump(mode="json")},
                          base_version=vault.subject_version(person_id))
        return SaveResult(op_id=str(get(op, "op_id")))

    def _decide_and_save(
        self, person_id: str, data: dict[str, Any], spec: FormSpec, photo: tuple[bytes, str] | None,
        person_op: Any = None, dry_run: bool = False,
    ) -> SaveResult:
        from outreach.domain.events import parse_event

        errors = _Errors()
        try:
            event = parse_event(data)
        except ValidationError as exc:
            self._validation(exc, errors, spec.article)
            return SaveResult(errors=list(errors))
        vault = self._session.vault
        state = vault.person_cards(person_id) or rules.empty_cards(person_id)
        decision = rules.decide(state, event, self._clock.today())
        if not decision.accepted:
            refusal = decision.refusal
            code = str(get(refusal, "code", ""))
            field = _REFUSAL_FIELDS.get(code, "")
            if str(get(refusal, "message_en", "")).lower().startswith("agent"):
                field = "agent_doc_number" if "document" in str(get(refusal, "message_en", "")) else "agent_name"
            if field and any(f.name == field for f in spec.fields):
                message = Bilingual(get(refusal, "message_zh", ""), get(refusal, "message_en", ""))
                return SaveResult(errors=[FieldError(field, message, str(get(refusal, "article", "")))],
                                  refusal_code=code)
            return SaveResult(
                refusal=Bilingual(get(refusal, "message_zh", ""), get(refusal, "message_en", "")),
                refusal_article=str(get(refusal, "article", "")),
                refusal_code=str(get(refusal, "code", "")),
            )
        fee = decision.fee
        fee_text = Bilingual(get(fee, "reason_zh", ""), get(fee, "reason_en", "")) if fee is not None else None
        fee_charged = bool(get(fee, "charged", False)) if fee is not None else None
        if dry_run:
            return SaveResult(fee=fee_text, fee_charged=fee_charged)
        if photo is not None:
            ref = vault.put_attachment(photo[0], photo[1])
            event = _with_photo(event, ref)
            if person_op is not None:
                person_op = person_op.model_copy(update={"photo_ref": ref})
        if person_op is not None:
            vault.append("person.register", person_id, {"person": person_op.model_dump(mode="json")},
                         base_version=0)
        op = vault.append(
            event.kind,
            person_id,
            {"event": event.model_dump(mode="json"), "cards": decision.state.model_dump(mode="json"),
             "fee": fee.model_dump(mode="json") if fee is not None else None},
            base_version=vault.subject_version(person_id),
        )
        return SaveResult(op_id=str(get(op, "op_id")), fee=fee_text, fee_charged=fee_charged)


def _with_photo(event: Any, ref: str) -> Any:
    if getattr(event, "kind", "") == "card.apply":
        return event.model_copy(update={"form": event.form.model_copy(update={"photo_ref": ref})})
    if hasattr(event, "photo_ref"):
        return event.model_copy(update={"photo_ref": ref})
    return event


def _prefill(person: Any) -> dict[str, Any]:
    """Form values from a recorded person (for an application or a data change)."""

    def s(value: Any) -> str:
        return "" if value is None else str(getattr(value, "value", value))

    agent = get(person, "agent")
    return {
        "name": s(get(person, "name")),
        "gender": s(get(person, "gender")),
        "ethnicity": s(get(person, "ethnicity")),
        "birth_date": s(get(person, "birth_date")),
        "nationality": s(get(person, "nationality")),
        "doc_type": s(get(person, "document.doc_type")),
        "doc_number": s(get(person, "document.number")),
        "valid_from": s(get(person, "document.valid_from")),
        "valid_until": s(get(person, "document.valid_until")),
        "mobile": s(get(person, "mobile")),
        "occupation": s(get(person, "occupation")),
        "address": s(get(person, "address")),
        "hardship": s(get(person, "hardship")),
        "agent_name": s(get(agent, "name")),
        "agent_doc_type": s(get(agent, "document.doc_type")),
        "agent_doc_number": s(get(agent, "document.number")),
        "agent_relationship": s(get(agent, "relationship")),
        "agent_proof": s(get(agent, "proof")),
        "agent_mobile": s(get(agent, "mobile")),
    }

