"""Finding people and showing one person: data masked until revealed, cards with where their status came from."""

from __future__ import annotations

from typing import Any

from outreach.domain.names import normalize_name
from outreach.domain.text import fold_width
from outreach.services._access import as_date, as_datetime, get, hlc_when, text
from outreach.services.clock import Clock
from outreach.services.errors import NotFound
from outreach.services.home import issue_status
from outreach.services.security import mask, mask_id, mask_mobile
from outreach.services.session import VaultSession
from outreach.services.views import CardView, FieldView, HistoryItem, PersonHit, PersonPage

#: Fields shown masked until the worker reveals them (Art. 41: identity numbers, bank account, photo).
SENSITIVE = ("id_number", "ss_number", "mobile", "photo")
#: ``audit.reveal`` names the field as the contract spells it.
_AUDIT_FIELD = {"id_number": "id_number", "ss_number": "id_number", "mobile": "mobile", "photo": "photo"}


def _current_card(cards: Any) -> Any | None:
    current = getattr(cards, "current", None)
    if callable(current):
        return current()
    items = get(cards, "cards", []) or []
    return items[-1] if items else None


def _age(birth: Any, today: Any) -> int | None:
    born = as_date(birth)
    if born is None:
        return None
    return int(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


class PeopleService:
    """Search and the person page."""

    def __init__(self, session: VaultSession, clock: Clock, center_label: Any = None) -> None:
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
            pid = get(person, "person_id")
            cards = vault.person_cards(pid)
            card = _current_card(cards) if cards is not None else None
            hits.append(
                PersonHit(
                    person_id=pid,
                    name=get(person, "name", ""),
                    id_masked=mask_id(get(person, "document.number")),
                    birth_date=as_date(get(person, "birth_date")),
                    card_number=get(card, "card_number") if card is not None else None,
                    card_status=text(get(card, "status")) if card is not None else None,
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
                return str(get(people[0], "person_id"))
        return None

    def card_status(self, person_id: str, card_number: str | None) -> str | None:
        """The status this laptop has for one of the person's cards, by its number (None: not known here)."""
        held = self._session.vault.person_cards(person_id)
        if held is None or not card_number:
            return None
        card = next((c for c in held.cards if c.card_number == card_number), None)
        return card.status.value if card is not None else None

    # --- the person page -----------------------------------------------------------------------
    def person(self, person_id: str) -> Any:
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
        doc_number = get(person, "document.number")
        values: dict[str, tuple[str, str]] = {
            "id_number": (doc_number or "", mask_id(doc_number)),
            "ss_number": (get(person, "ss_number") or "", mask_id(get(person, "ss_number"))),
            "mobile": (get(person, "mobile") or "", mask_mobile(get(person, "mobile"))),
            "photo": (get(person, "photo_ref") or "", "●" if get(person, "photo_ref") else ""),
        }
        age = _age(get(person, "birth_date"), today)
        birth = text(get(person, "birth_date"))
        fields = [
            FieldView("gender", text(get(person, "gender"))),
            FieldView("birth_date", f"{birth} ({age})" if age is not None else birth),
            FieldView("ethnicity", text(get(person, "ethnicity"))),
            FieldView("nationality", text(get(person, "nationality"))),
            FieldView("doc_type", text(get(person, "document.doc_type"))),
        ]
        for key in SENSITIVE:
            full, masked = values[key]
            revealed = key in shown
            fields.append(FieldView(key, full if revealed else masked, sensitive=True, revealed=revealed))
        fields += [
            FieldView("occupation", text(get(person, "occupation"))),
            FieldView("address", text(get(person, "address"))),
            FieldView("area_code", text(get(person, "area_code"))),
            FieldView("hardship", text(get(person, "hardship"))),
        ]
        agent = get(person, "agent")
        if agent is not None:
            fields.append(
                FieldView("agent", f"{get(agent, 'name', '')} ({get(agent, 'relationship', '')}) "
                          f"{mask_id(get(agent, 'document.number'))}")
            )
        deceased = get(person, "deceased_on")
        if deceased:
            fields.append(FieldView("deceased_on", text(deceased)))
        sources_of = getattr(vault, "card_sources", None)
        sources = {str(get(r, "card_id")): r for r in (sources_of(person_id) if callable(sources_of) else [])}
        card_views = [self._card_view(c, sources.get(str(get(c, "card_id")))) for c in (get(cards, "cards", []) or [])]
        card_views.reverse()  # newest first on screen
        return PersonPage(
            person_id=person_id,
            name=get(person, "name", ""),
            fields=fields,
            cards=card_views,
            history=self.history(person_id),
            needs_agent=age is not None and (age < 16 or age >= 80),
            deceased=bool(deceased),
            version=int(vault.subject_version(person_id)),
        )

    def _card_view(self, card: Any, origin: Any = None) -> CardView:
        source = get(origin, "source") or get(card, "source")
        synced = as_datetime(get(origin, "synced_at") or get(card, "synced_at"))
        from_center = source == "center"
        return CardView(
            card_id=str(get(card, "card_id", "")),
            status=text(get(card, "status")),
            card_number=get(card, "card_number"),
            bank_activated=bool(get(card, "bank_activated", False)),
            expires_on=as_date(get(card, "expires_on")),
            provisional=not from_center,
            source=self._center_label() if from_center else None,
            synced_at=synced,
            temp_loss_period=get(card, "temp_loss_period"),
            reason=get(card, "reason"),
        )

    def history(self, person_id: str, limit: int = 30) -> list[HistoryItem]:
        """The person's operations on this laptop, newest first, those not yet at the center marked.

        Reads the person's operations only (the vault's subject index). The outbox leaves in device order,
        so an operation is still waiting exactly when its ``seq`` is at or after the oldest waiting one.
        """
        vault = self._session.vault
        try:
            ops = list(vault.operations(subject=person_id))
        except TypeError:  # an older vault without the subject index
            ops = [op for op in vault.operations() if get(op, "subject") == person_id]
        oldest_waiting = vault.pending_operations(limit=1) if ops else []
        first_pending = int(get(oldest_waiting[0], "seq", 0)) if oldest_waiting else None
        issues = _open_issues(vault)
        items: list[HistoryItem] = []
        for op in reversed(ops[-limit:]):
            payload = get(op, "payload", {}) or {}
            kind = str(get(op, "kind", ""))
            detail = ""
            if "event" in payload:
                detail = text(get(payload, "event.reason") or get(payload, "event.period") or "")
            elif "visit" in payload:
                detail = text(get(payload, "visit.outcome"))
            elif "field" in payload:
                detail = text(payload.get("field"))
            pending = first_pending is not None and int(get(op, "seq", 0)) >= first_pending
            fee = payload.get("fee") if isinstance(payload, dict) else None
            items.append(HistoryItem(
                when=hlc_when(get(op, "hlc", "")), kind=kind, detail=detail, pending=pending,
                detail_keys=_detail_keys(kind, payload),
                fee_charged=bool(get(fee, "charged", False)) if isinstance(fee, dict) else None,
                issue=issues.get(str(get(op, "op_id", ""))),
            ))
        me = getattr(vault, "worker_id", None)
        visits = getattr(vault, "visits", None)
        theirs = [v for v in (visits(person_id=person_id) if callable(visits) else [])
                  if not get(v, "planned", False) and get(v, "worker_id") != me]
        for v in theirs:  # colleagues' visits to this person, pulled from the center
            outcome = text(get(v, "outcome"))
            items.append(HistoryItem(when=text(get(v, "day")), kind="visit.log", detail=outcome, pending=False,
                                     detail_keys=(f"outcome.{outcome}",) if outcome else (),
                                     worker=str(get(v, "worker_id", ""))))
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


def _open_issues(vault: Any) -> dict[str, str]:
    """op_id -> ``rejected`` / ``conflict`` for the operations whose center answer waits for a decision."""
    outcomes = getattr(vault, "op_outcomes", None)
    if not callable(outcomes):
        return {}
    return {str(get(o, "op_id")): issue_status(get(o, "status", "")) for o in outcomes(open_only=True)}


def _detail_keys(kind: str, payload: Any) -> tuple[str, ...]:
    """What an operation's detail means, as catalogue keys (the screen puts them in words)."""
    event = get(payload, "event") or {}
    if kind == "card.exchange" and get(event, "reason") is not None:
        return (f"choice.exchange_reason.{get(event, 'reason')}",)
    if kind == "card.loss_temporary" and get(event, "period"):
        return (f"choice.period.{get(event, 'period')}",)
    if kind == "card.deliver" and get(event, "method"):
        return (f"choice.method.{get(event, 'method')}",)
    if kind == "card.reissue":
        return tuple(f"choice.key_field.{f}" for f in (get(event, "changed") or []))
    if kind == "visit.log" and get(payload, "visit.outcome"):
        return (f"outcome.{get(payload, 'visit.outcome')}",)
    if kind == "audit.reveal" and get(payload, "field"):
        return (f"form.field.{get(payload, 'field')}",)
    if kind == "conflict.resolve" and get(payload, "choice"):
        return (f"resolve.{get(payload, 'choice')}",)
    return ()


__all__ = ["PeopleService", "SENSITIVE", "mask"]
