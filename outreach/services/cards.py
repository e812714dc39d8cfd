"""Recording what the worker did: registering a person, each card lifecycle event, non-key data changes.

Every form goes the same way, driven by its :class:`~outreach.services.forms.FormSpec`: each field's normaliser
cleans the typed value and puts it at the event field the spec names -> the domain event -> ``decide()`` against
the person's cards -> if accepted, one operation appended (payload ``{"event", "cards", "fee"}``); if refused,
the :class:`Refusal` is shown under the field it names (``Refusal.field``), or as a whole, and nothing is
saved. A photo file is stored as an attachment only once everything else has been accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from outreach.domain.decision import FeeDecision, RuleContext
from outreach.domain.enums import DocType, Hardship
from outreach.domain.events import LifecycleEvent, parse_event
from outreach.domain.forms import check_form
from outreach.domain.lifecycle import decide, offer_refusal
from outreach.domain.models import ApplicationForm, IdentityDocument, Person, PersonCards, new_id
from outreach.domain.numbers import check_mobile
from outreach.domain.person_data import area_code_for, facts_from_number, person_key, person_keys
from outreach.domain.refusal import Refusal
from outreach.services._access import text
from outreach.services.clock import CALENDAR, Clock
from outreach.services.errors import NotFound
from outreach.services.forms import EVENT_ORDER, SPECS, FormSpec
from outreach.services.normalise import Clean, Photo, Problem, is_empty, normalise, parse_date
from outreach.services.required import required_now
from outreach.services.security import mask, mask_id
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, FieldError, Review, SaveResult, ServiceOffer, Whose, both

Values = Mapping[str, object]
"""What the screen sends: field name -> typed text, a bool for yes/no, a list for a multiple choice."""
Tree = dict[str, object]
"""An event being built: the nested JSON shape its model validates."""

#: The photo reference an event carries until the attachment is stored.
PENDING_PHOTO = "pending"
#: Events that cannot be taken back once recorded: the form ends on a review the worker confirms (M9).
IRREVERSIBLE = ("card.loss_formal", "card.cancel", "card.replace", "card.reissue", "card.exchange")
#: Citizens' documents: their number is also the social security number (Art. 5).
_CITIZEN_DOCS = ("resident_id", "household_register", "hkmo_tw_residence_permit")


class _Errors(list[FieldError]):
    def add(self, name: str, key: str, article: str = "", **params: object) -> None:
        self.append(FieldError(name, both(key, **params), article))

    def refused(self, spec: FormSpec, why: Refusal, prefix: str = "") -> None:
        path = f"{prefix}{why.field}" if why.field else None
        self.append(FieldError(spec.field_for(path), said(why), why.article or spec.article))


def said(why: Refusal) -> Bilingual:
    return Bilingual(why.message_zh, why.message_en)


@dataclass
class Filled:
    """A form turned into the tree of its event, with the photo to store once it is accepted."""

    tree: Tree = field(default_factory=dict)
    photo: Photo | None = None
    photo_to: str = ""


def _put(tree: Tree, path: str, value: object) -> None:
    *parents, last = path.split(".")
    node = tree
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return  # the object is absent (None): its fields are not filled
        node = child
    node[last] = value


def fill(spec: FormSpec, values: Values, errors: _Errors) -> Filled:
    """Each field normalised and put where its spec says; a problem is added to ``errors`` under the field."""
    clean: dict[str, Clean] = {}
    for f in spec.fields:
        try:
            clean[f.name] = normalise(f, values.get(f.name, f.default))
        except Problem as problem:
            errors.add(f.name, problem.key, f.article)
    absent = {f.block for f in spec.fields if f.opens and f.name in clean and is_empty(clean[f.name])}
    filled = Filled()
    for block in sorted(absent):
        _put(filled.tree, block, None)
    for f in spec.fields:
        if f.name not in clean or any(f.to.startswith(block + ".") for block in absent):
            continue
        value = clean[f.name]
        if (f.required or f.required_in_block) and is_empty(value):
            errors.add(f.name, f.missing, f.article)
        if not f.to:
            continue
        if isinstance(value, Photo):
            filled.photo, filled.photo_to = value, f.to
            value = PENDING_PHOTO
        _put(filled.tree, f.to, value)
    return filled


def validation_errors(exc: ValidationError, spec: FormSpec, errors: _Errors, prefix: str = "") -> None:
    """A model's complaints, each under the form field that fills its location (or the form as a whole)."""
    for err in exc.errors():
        parts = [str(p) for p in err.get("loc", ()) if isinstance(p, str) and p != spec.kind]
        name = ""
        while parts and not name:
            name = spec.field_for(prefix + ".".join(parts))
            parts.pop()
        errors.add(name, "form.err.invalid", spec.article)


class CardService:
    """One method per worker form; all return a :class:`SaveResult`."""

    def __init__(self, session: VaultSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def register_and_apply(self, values: Values, *, dry_run: bool = False) -> tuple[SaveResult, str | None]:
        """A new person and their first application (``person.register`` then ``card.apply``)."""
        person_id = new_id()
        result = self._apply(person_id, values, new_person=True, dry_run=dry_run)
        return result, (person_id if result.saved else None)

    def record(self, person_id: str, kind: str, values: Values, *, dry_run: bool = False,
               tags: Mapping[str, str] | None = None) -> SaveResult:
        """Record one lifecycle event (or ``person.update``) for an existing person.

        With ``dry_run`` every check runs and the fee decision is returned, but nothing is written. An
        application also runs the form checks field by field (``_apply``); ``person.update`` is not an event.
        ``tags``: extra payload keys beside the event (``session_id`` at an employer bulk day); the event and
        its check are unchanged. Not for data changes.
        """
        if kind == "card.apply":
            return self._apply(person_id, values, new_person=False, dry_run=dry_run, tags=tags)
        if kind == "person.update":
            return SaveResult() if dry_run else self._update(person_id, values)
        spec = SPECS[kind]
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        errors = _Errors()
        filled = fill(spec, values, errors)
        if errors:
            return SaveResult(errors=list(errors))
        for name in spec.from_person:
            filled.tree[name] = getattr(person, name)
        return self._decide_and_save(person_id, spec, filled, dry_run=dry_run, tags=tags)

    def offers(self, person_id: str) -> list[ServiceOffer]:
        """The service menu for a person, in menu order: what the card's state allows, and for the rest the
        rule that refuses it (the lifecycle decides, as on saving), so the worker does not fill a form in vain."""
        state = self._session.vault.person_cards(person_id) or PersonCards(person_id=person_id, cards=[], version=0)
        ctx = RuleContext(today=self._clock.today(), calendar=CALENDAR)
        offers = []
        for kind in EVENT_ORDER:
            why = offer_refusal(state, kind, ctx)
            offers.append(ServiceOffer(kind, said(why), why.article) if why is not None else ServiceOffer(kind))
        return offers

    def preview(self, person_id: str | None, kind: str, values: Values) -> SaveResult:
        """What saving the form would give, without saving: its errors, a refusal, or the fee decision.

        The worker sees whether the card fee applies (Art. 24) before telling the person and saving.
        """
        if person_id is None:
            return self.register_and_apply(values, dry_run=True)[0]
        return self.record(person_id, kind, values, dry_run=True)

    def facts_from_number(self, doc_type: str, number: str) -> dict[str, str]:
        """Form values a valid citizen number (or residence permit) gives: birth date and gender, so they are
        not typed twice (Art. 10); {} when the number is not (yet) valid or encodes nothing."""
        try:
            kind = DocType(doc_type)
        except ValueError:
            return {}
        facts = facts_from_number(number, kind, today=self._clock.today())
        if facts is None:
            return {}
        out = {"birth_date": facts.birth_date.isoformat()} if facts.birth_date else {}
        if facts.gender is not None:
            out["gender"] = facts.gender.value
        return out

    def review(self, person_id: str, kind: str, values: Values) -> Review:
        """The read-back before an irreversible event: whose card (masked), what happens, the fee (Art. 24),
        and the 告知承诺书 when the proof of death is a pledge (Art. 27). Nothing is saved."""
        result = self.record(person_id, kind, values, dry_run=True)
        whose = self.whose(person_id)
        pledge = None
        if kind == "card.cancel" and values.get("proof") == "pledge":
            try:  # the date as the pledge states it (it was typed in any accepted form)
                day = str(parse_date(values.get("deceased_on")) or "")
            except ValueError:
                day = str(values.get("deceased_on") or "")
            pledge = both("review.pledge", name=whose.name, day=day, agent=str(values.get("agent_name") or "").strip())
        return Review(kind=kind, result=result, whose=whose, what=both(f"review.what.{kind}"), pledge=pledge)

    def whose(self, person_id: str) -> Whose:
        """Whose record this is: the name, the identity number and current card number masked (m14)."""
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        cards = self._session.vault.person_cards(person_id)
        card = cards.current() if cards is not None else None
        return Whose(
            name=person.name, id_masked=mask_id(person.document.number),
            card_masked=mask(card.card_number, 2, 3) if card is not None and card.card_number else "",
            card_status=card.status.value if card is not None else "",
        )  # fmt: skip

    def required_now(self, kind: str, values: Values) -> frozenset[str]:
        """The fields of the form that must be filled in now, conditional ones included (m11)."""
        return required_now(kind, values, self._clock.today())

    def prefill(self, person_id: str) -> dict[str, str]:
        """The form values of a recorded person (application for a known person, data change)."""
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        return prefill(person)

    # --- internals -----------------------------------------------------------------------------
    def _apply(self, person_id: str, values: Values, *, new_person: bool, dry_run: bool,
               tags: Mapping[str, str] | None = None) -> SaveResult:
        spec = SPECS["card.apply"]
        known = None if new_person else self._session.vault.get_person(person_id)
        if not new_person and known is None:
            raise NotFound()
        errors = _Errors()
        filled = fill(spec, values, errors)
        form_tree = filled.tree.get("form")
        if known is not None and known.photo_ref and isinstance(form_tree, dict) and not form_tree.get("photo_ref"):
            form_tree["photo_ref"] = known.photo_ref  # the photo on record, unless a new one is chosen (M12)
        # All at once (m3): a field that could not be read is left out and the rest is still checked, so
        # the rules' complaints come with the typing ones, not in a second round; each field keeps its own.
        typed_wrong = {e.field for e in errors}
        for f in spec.fields:
            if f.name in typed_wrong and f.to.startswith("form."):
                _put(filled.tree, f.to, None)
        try:
            form = ApplicationForm.model_validate(filled.tree["form"])
        except ValidationError as exc:
            more = _Errors()
            validation_errors(exc, spec, more, prefix="form.")
            errors.extend(e for e in more if e.field not in typed_wrong or not e.field)
            return SaveResult(errors=_unique(errors))
        existing = self._known_as(person_id, form.document) if new_person else None
        if existing is not None:  # before the form's own checks: who the person is matters first
            dup = _Errors()
            dup.add(spec.field_for("form.document.number"), "form.err.already_registered", "Art. 3, 5",
                    holder=existing.name)
            return SaveResult(errors=list(dup), existing_person_id=existing.person_id)
        checked = check_form(form, today=self._clock.today())
        for problem in checked.problems:
            if spec.field_for(f"form.{problem.field}" if problem.field else None) not in typed_wrong:
                errors.refused(spec, problem, prefix="form.")
        if errors:
            return SaveResult(errors=_unique(errors))
        person: Person | None = None
        if new_person:
            try:
                person = Person(
                    person_id=person_id, name=form.name, gender=form.gender, ethnicity=form.ethnicity,
                    birth_date=form.birth_date, nationality=form.nationality, document=form.document,
                    ss_number=form.document.number if form.document.doc_type in _CITIZEN_DOCS else None,
                    mobile=form.mobile, occupation=form.occupation, address=form.address,
                    area_code=area_code_for(form.document, today=self._clock.today()),
                    hardship=Hardship(str(filled.tree.get("hardship") or "none")), agent=form.agent,
                )  # fmt: skip
            except ValidationError as exc:
                validation_errors(exc, spec, errors, prefix="form.")
                return SaveResult(errors=list(errors))
        filled.tree["form"] = form.model_dump(mode="json")
        return self._decide_and_save(person_id, spec, filled, person=person, dry_run=dry_run,
                                     warnings=tuple(said(w) for w in checked.warnings), tags=tags)

    def _known_as(self, person_id: str, document: IdentityDocument) -> Person | None:
        """The person the vault already holds under the key of ``document`` (a citizen's number is their
        social security number; Art. 5: unique nationwide), or None."""
        key = person_key(document)
        for candidate in self._session.vault.find_people(document.number, limit=10):
            if candidate.person_id != person_id and key in person_keys(candidate):
                return candidate
        return None

    def _update(self, person_id: str, values: Values) -> SaveResult:
        spec = SPECS["person.update"]
        vault = self._session.vault
        person = vault.get_person(person_id)
        if person is None:
            raise NotFound()
        errors = _Errors()
        filled = fill(spec, values, errors)
        mobile = filled.tree.get("mobile")
        if isinstance(mobile, str) and mobile and "mobile" in values:
            for problem in check_mobile(mobile).problems:
                errors.append(FieldError("mobile", said(problem), problem.article or spec.article))
        if errors:
            return SaveResult(errors=list(errors))
        # a field the form did not send stays as it was; one sent empty is cleared
        sent = {f.to: filled.tree.get(f.to) for f in spec.fields if f.name in values}
        try:
            updated = Person.model_validate(person.model_dump() | sent)
        except ValidationError as exc:
            validation_errors(exc, spec, errors)
            return SaveResult(errors=list(errors))
        op = vault.append("person.update", person_id, {"person": updated.model_dump(mode="json")},
                          base_version=vault.subject_version(person_id))
        return SaveResult(op_id=op.op_id)

    def _decide_and_save(
        self, person_id: str, spec: FormSpec, filled: Filled, *, person: Person | None = None, dry_run: bool,
        warnings: tuple[Bilingual, ...] = (),
        tags: Mapping[str, str] | None = None,
    ) -> SaveResult:
        errors = _Errors()
        try:
            event = parse_event({"kind": spec.kind, **filled.tree})
        except ValidationError as exc:
            validation_errors(exc, spec, errors)
            return SaveResult(errors=list(errors))
        vault = self._session.vault
        state = vault.person_cards(person_id) or PersonCards(person_id=person_id, cards=[], version=0)
        decision = decide(state, event, RuleContext(today=self._clock.today(), calendar=CALENDAR))
        if not decision.accepted:
            why = decision.refusal
            assert why is not None  # a refused decision always says why
            name = spec.field_for(why.field)
            if name:
                return SaveResult(errors=[FieldError(name, said(why), why.article)], refusal_code=why.code)
            return SaveResult(refusal=said(why), refusal_article=why.article, refusal_code=why.code)
        fee = decision.fee
        fee_text, fee_charged = _fee(fee)
        warnings += tuple(said(w) for w in decision.warnings if said(w) not in warnings)
        if dry_run:
            return SaveResult(fee=fee_text, fee_charged=fee_charged, warnings=warnings)
        if filled.photo is not None:
            ref = vault.put_attachment(filled.photo.data, filled.photo.mime)
            event = _with(event, filled.photo_to, ref)
            if person is not None:
                person = person.model_copy(update={"photo_ref": ref})
        if person is not None:
            vault.append("person.register", person_id, {"person": person.model_dump(mode="json")}, base_version=0)
        op = vault.append(
            event.kind,
            person_id,
            {"event": event.model_dump(mode="json"), "cards": decision.state.model_dump(mode="json"),
             "fee": fee.model_dump(mode="json") if fee is not None else None, **(tags or {})},
            base_version=vault.subject_version(person_id),
        )
        return SaveResult(op_id=op.op_id, fee=fee_text, fee_charged=fee_charged, warnings=warnings)


def _unique(errors: list[FieldError]) -> list[FieldError]:
    """Each complaint once (a field left out can be missed by the model too)."""
    seen: set[tuple[str, str]] = set()
    out: list[FieldError] = []
    for e in errors:
        if (e.field, e.message.zh) not in seen:
            seen.add((e.field, e.message.zh))
            out.append(e)
    return out


def _fee(fee: FeeDecision | None) -> tuple[Bilingual | None, bool | None]:
    if fee is None:
        return None, None
    return Bilingual(fee.reason_zh, fee.reason_en), fee.charged


def _with(event: LifecycleEvent, path: str, value: str) -> LifecycleEvent:
    """The event with ``value`` at ``path`` (its card id and everything else kept)."""
    tree: Tree = event.model_dump(mode="json")
    _put(tree, path, value)
    return parse_event(tree)


def prefill(person: Person) -> dict[str, str]:
    """Form values from a recorded person (for an application or a data change): each application field whose
    event path (``form.document.number``) the person's record has too (``document.number``); not the photo."""
    out: dict[str, str] = {}
    for f in SPECS["card.apply"].fields:
        if f.kind in ("path", "bool") or not f.to.startswith("form."):
            continue
        node: object = person
        for part in f.to.removeprefix("form.").split("."):
            node = getattr(node, part, None)
        out[f.name] = text(node)
    out["hardship"] = text(person.hardship)
    return out
