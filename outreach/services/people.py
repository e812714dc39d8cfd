"""Finding people and showing one person: data masked until revealed, cards with where their status came from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from outreach.domain.masking import mask_mobile
from outreach.domain.models import CardState, Person
from outreach.domain.names import normalize_name
from outreach.domain.operation import Operation
from outreach.domain.text import fold_width
from outreach.services._access import as_datetime, hlc_when, obj, text
from outreach.services.clock import Clock
from outreach.services.errors import NotFound
from outreach.services.home import issue_status
from outreach.services.ports import JSONObject, VaultPort
from outreach.services.security import mask, mask_id
from outreach.services.session import VaultSession
from outreach.services.views import CardView, FieldView, HistoryItem, PersonHit, PersonPage

#: Fields shown masked until the worker reveals them (Art. 41: identity numbers, bank account, photo).
SENSITIVE = ("id_number", "ss_number", "mobile", "photo")
#: ``audit.reveal`` names the field as the contract spells it.
_AUDIT_FIELD = {"id_number": "id_number", "ss_number": "id_number", "mobile": "mobile", "photo": "photo"}


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PeopleService:
    """Search and the person page."""

    def __init__(self, session: VaultSession, clock: Clock,
                 center_label: Callable[[], str | None] | None = None) -> None:
        self._session = session
        self._clock = clock
        self._center_label = center_label or (lambda: None)
        self._revealed: dict[str, set[str]] = {}

    # --- search --------------------------------------------------------------------------------
    def find(self, query: str, limit: int = 50) -> list[PersonHit]:
        """Results for what the worker typed: name, pinyin initials, identity or card number.

        Full-width letters and digits (what a Chinese input method types) count as their ASCII forms.
        """
        query = normalize_name(fold_width(query)).strip()
        if not query:
            return []
        vault = self._session.vault
        hits: list[PersonHit] = []
        for person in vault.find_people(query, limit=limit):
            cards = vault.person_cards(person.person_id)
            card = cards.current() if cards is not None else None
            hits.append(
                PersonHit(
                    person_id=person.person_id,
                    name=person.name,
                    id_masked=mask_id(person.document.number),
                    birth_date=person.birth_date,
                    card_number=card.card_number if card is not None else None,
                    card_status=card.status.value if card is not None else None,
                )
            )
        return hits

    def find_by_card(self, card_number: str | None, ss_number: str | None) -> str | None:
        """The person id of the holder of a card just read, or None."""
        vault = self._session.vault
        for key in (card_number, ss_number):
            if not key:
                continue
            people = vault.find_people(key, limit=2)
            if len(people) == 1:
                return people[0].person_id
        return None

    def card_status(self, person_id: str, card_number: str | None) -> str | None:
        """The status this laptop has for one of the person's cards, by its number (None: not known here)."""
        held = self._session.vault.person_cards(person_id)
        if held is None or not card_number:
            return None
        card = next((c for c in held.cards if c.card_number == card_number), None)
        return card.status.value if card is not None else None

    # --- the person page -----------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        person = self._session.vault.get_person(person_id)
        if person is None:
            raise NotFound()
        return person

    def page(self, person_id: str) -> PersonPage:
        vault = self._session.vault
        person = self.person(person_id)
        cards = vault.person_cards(person_id)
        shown = self._revealed.get(person_id, set())
        today = self._clock.today()
        doc_number = person.document.number
        values: dict[str, tuple[str, str]] = {
            "id_number": (doc_number, mask_id(doc_number)),
            "ss_number": (person.ss_number or "", mask_id(person.ss_number)),
            "mobile": (person.mobile or "", mask_mobile(person.mobile)),
            "photo": (_photo_summary(vault, person.photo_ref), "●" if person.photo_ref else ""),
        }
        age = _age(person.birth_date, today)
        birth = person.birth_date.isoformat()
        fields = [
            FieldView("gender", text(person.gender)),
            FieldView("birth_date", f"{birth} ({age})"),
            FieldView("ethnicity", text(person.ethnicity)),
            FieldView("nationality", text(person.nationality)),
            FieldView("doc_type", text(person.document.doc_type)),
        ]
        for key in SENSITIVE:
            full, masked = values[key]
            revealed = key in shown
            fields.append(FieldView(key, full if revealed else masked, sensitive=True, revealed=revealed))
        fields += [
            FieldView("occupation", text(person.occupation)),
            FieldView("address", text(person.address)),
            FieldView("area_code", text(person.area_code)),
            FieldView("hardship", text(person.hardship)),
        ]
        agent = person.agent
        if agent is not None:
            fields.append(
                FieldView("agent", f"{agent.name} ({agent.relationship}) {mask_id(agent.document.number)}")
            )
        deceased = person.deceased_on
        if deceased:
            fields.append(FieldView("deceased_on", deceased.isoformat()))
        sources = {str(r.get("card_id")): r for r in vault.card_sources(person_id)}
        card_views = [self._card_view(c, sources.get(c.card_id)) for c in (cards.cards if cards is not None else [])]
        card_views.reverse()  # newest first on screen
        return PersonPage(
            person_id=person_id,
            name=person.name,
            fields=fields,
            cards=card_views,
            history=self.history(person_id),
            needs_agent=age < 16 or age >= 80,
            deceased=bool(deceased),
            version=int(vault.subject_version(person_id)),
        )

    def _card_view(self, card: CardState, origin: JSONObject | None = None) -> CardView:
        """``origin``: the vault's ``card_sources`` row (``source`` "provisional" or "center", ``synced_at``)."""
        from_center = origin is not None and origin.get("source") == "center"
        return CardView(
            card_id=card.card_id,
            status=card.status.value,
            card_number=card.card_number,
            bank_activated=card.bank_activated,
            expires_on=card.expires_on,
            provisional=not from_center,
            source=self._center_label() if from_center else None,
            synced_at=as_datetime(origin.get("synced_at")) if origin is not None else None,
            temp_loss_period=card.temp_loss_period,
            reason=card.reason,
        )

    def history(self, person_id: str, limit: int = 30) -> list[HistoryItem]:
        """The person's operations on this laptop, newest first, those not yet at the center marked.

        Reads the person's operations only (the vault's subject index). The outbox leaves in device order,
        so an operation is still waiting exactly when its ``seq`` is at or after the oldest waiting one.
        """
        vault = self._session.vault
        ops = list(vault.operations(subject=person_id))
        oldest_waiting = vault.pending_operations(limit=1) if ops else []
        first_pending = oldest_waiting[0].seq if oldest_waiting else None
        issues = _open_issues(vault)
        items: list[HistoryItem] = []
        for op in reversed(ops[-limit:]):
            payload = op.payload
            event, visit = obj(payload.get("event")), obj(payload.get("visit"))
            detail = ""
            if event is not None:
                detail = text(event.get("reason") or event.get("period") or "")
            elif visit is not None:
                detail = text(visit.get("outcome"))
            elif "field" in payload:
                detail = text(payload.get("field"))
            fee = obj(payload.get("fee"))
            items.append(HistoryItem(
                when=hlc_when(op.hlc), kind=op.kind, detail=detail,
                pending=first_pending is not None and op.seq >= first_pending,
                detail_keys=_detail_keys(op),
                fee_charged=bool(fee.get("charged")) if fee is not None else None,
                issue=issues.get(op.op_id),
            ))
        theirs = [v for v in vault.visits(person_id=person_id) if not v.planned and v.worker_id != vault.worker_id]
        for v in theirs:  # colleagues' visits to this person, pulled from the center
            outcome = text(v.outcome)
            items.append(HistoryItem(when=v.day.isoformat(), kind="visit.log", detail=outcome, pending=False,
                                     detail_keys=(f"outcome.{outcome}",) if outcome else (),
                                     worker=v.worker_id))
        if theirs:
            items.sort(key=lambda h: h.when, reverse=True)
        return items[:limit]

    # --- reveal --------------------------------------------------------------------------------
    def reveal(self, person_id: str, field: str, screen: str = "person") -> None:
        """Show one sensitive field in clear; appends an ``audit.reveal`` operation first (Art. 40)."""
        if field not in SENSITIVE:
            raise NotFound()
        vault = self._session.vault
        self.person(person_id)
        vault.append(
            "audit.reveal",
            person_id,
            {"field": _AUDIT_FIELD[field], "screen": screen},
            base_version=vault.subject_version(person_id),
        )
        self._revealed.setdefault(person_id, set()).add(field)

    def hide_all(self) -> None:
        """Mask everything again (leaving the page, locking)."""
        self._revealed.clear()


def _photo_summary(vault: VaultPort, ref: str | None) -> str:
    """A stored photo as the worker can check it (kind, size, date, dimensions), never its reference (M12)."""
    from outreach.services.photos import describe_stored

    info = describe_stored(vault, ref)
    return info.summary if info is not None else ""


def _open_issues(vault: VaultPort) -> dict[str, str]:
    """op_id -> ``rejected`` / ``conflict`` for the operations whose center answer waits for a decision."""
    return {str(o.get("op_id")): issue_status(o.get("status", "")) for o in vault.op_outcomes(open_only=True)}



def _detail_keys(op: Operation) -> tuple[str, ...]:
    """What an operation's detail means, as catalogue keys (the screen puts them in words)."""
    kind, payload = op.kind, op.payload
    event = obj(payload.get("event")) or {}
    visit = obj(payload.get("visit")) or {}
    if kind == "card.exchange" and event.get("reason") is not None:
        return (f"choice.exchange_reason.{event['reason']}",)
    if kind == "card.loss_temporary" and event.get("period"):
        return (f"choice.period.{event['period']}",)
    if kind == "card.deliver" and event.get("method"):
        return (f"choice.method.{event['method']}",)
    changed = event.get("changed")
    if kind == "card.reissue" and isinstance(changed, list):
        return tuple(f"choice.key_field.{f}" for f in changed)
    if kind == "visit.log" and visit.get("outcome"):
        return (f"outcome.{visit['outcome']}",)
    if kind == "audit.reveal" and payload.get("field"):
        return (f"form.field.{payload['field']}",)
    if kind == "conflict.resolve" and payload.get("choice"):
        return (f"resolve.{payload['choice']}",)
    return ()


__all__ = ["PeopleService", "SENSITIVE", "mask"]
