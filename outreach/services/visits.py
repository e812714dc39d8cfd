"""The visit log: outcome, who was present, notes and the operations done during the visit."""

from __future__ import annotations

from pydantic import ValidationError

from outreach.domain.models import Visit
from outreach.services.clock import Clock
from outreach.services.errors import NotFound
from outreach.services.forms import VISIT_OUTCOMES
from outreach.services.session import VaultSession
from outreach.services.views import FieldError, SaveResult, both


class VisitService:
    def __init__(self, session: VaultSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._session_ops: dict[str, list[tuple[str, str]]] = {}

    def note_operation(self, person_id: str, op_id: str, kind: str = "") -> None:
        """Remember an operation done at this person's door, for the visit record."""
        self._session_ops.setdefault(person_id, []).append((op_id, kind))

    def operations_in_visit(self, person_id: str) -> list[str]:
        return [op_id for op_id, _kind in self._session_ops.get(person_id, [])]

    def kinds_in_visit(self, person_id: str) -> list[str]:
        """The kinds of the operations done during this visit, in order (for the visit screen)."""
        return [kind for _op, kind in self._session_ops.get(person_id, []) if kind]

    def log(self, person_id: str, outcome: str, present: list[str] | str, notes: str) -> SaveResult:
        vault = self._session.vault
        if vault.get_person(person_id) is None:
            raise NotFound()
        if isinstance(present, str):
            present = [p.strip() for p in present.replace("，", ",").split(",") if p.strip()]
        if outcome not in VISIT_OUTCOMES:
            return SaveResult(errors=[FieldError("outcome", both("form.err.choice"), "")])
        try:
            visit = Visit.model_validate({
                "person_id": person_id,
                "worker_id": vault.worker_id,
                "day": self._clock.today(),
                "outcome": outcome,
                "present": present,
                "notes": notes,
                "op_ids": self.operations_in_visit(person_id),
            })
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            return SaveResult(errors=[FieldError(f if f in ("present", "notes") else "notes",
                                                 both("form.err.invalid"), "") for f in sorted(fields)])
        op = vault.append("visit.log", person_id, {"visit": visit.model_dump(mode="json")},
                          base_version=vault.subject_version(person_id))
        self._session_ops.pop(person_id, None)
        return SaveResult(op_id=op.op_id)

    def today(self) -> list[Visit]:
        from outreach.services.home import visits_today

        return visits_today(self._session, self._clock.today())
