"""Drafts: what the worker typed into an open form, kept in the vault until it is saved or discarded.

A draft is kept on every change (debounced by the UI), when the app locks and when it quits, so a crash,
a dead battery or a closed lid loses at most the last second of typing. Drafts live in the encrypted vault
only (``storage`` migration ``0004_drafts``), never in a file of their own; they are not operations and are
never sent to the center.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from outreach.services.errors import ServiceError
from outreach.services.session import VaultSession


class DraftStore(Protocol):
    """The vault's draft table (``storage.Vault`` satisfies it).

    Raises (any method): the storage layer's own errors (vault locked, values not JSON).
    """

    def put_draft(self, draft_key: str, kind: str, person_id: str | None, values: dict[str, Any]) -> None: ...

    def drafts(self) -> list[dict[str, Any]]: ...

    def drop_draft(self, draft_key: str) -> None: ...


@dataclass(frozen=True)
class Draft:
    """One kept form: where it belongs and what was typed (``values`` by field name)."""

    key: str
    kind: str
    person_id: str | None
    values: dict[str, Any]
    updated_at: str


def draft_key(kind: str, person_id: str | None) -> str:
    """One draft per form and person; a new person's application gets a key of its own."""
    return f"{kind}:{person_id}" if person_id else f"{kind}:new-{uuid.uuid4().hex[:12]}"


class DraftService:
    """Keep, list and forget drafts of the open vault."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session

    def _store(self) -> DraftStore:
        vault: Any = self._session.vault
        if not hasattr(vault, "put_draft"):
            raise ServiceError("draft.unavailable")
        return vault  # type: ignore[no-any-return]

    def keep(self, key: str, kind: str, person_id: str | None, values: dict[str, Any]) -> None:
        """Keep the form's values (replacing the previous draft of ``key``). Empty forms are not kept.

        Raises:
            ServiceError ``draft.unavailable``: the vault is closed or cannot hold drafts.
        """
        if not any(_filled(v) for v in values.values()):
            self.drop(key)
            return
        clean = {k: (list(v) if isinstance(v, tuple | set) else v) for k, v in values.items()}
        self._store().put_draft(key, kind, person_id, clean)

    def list(self) -> list[Draft]:
        """Every kept draft, the newest first; [] when the vault is not open."""
        if not self._session.is_open:
            return []
        try:
            rows = self._store().drafts()
        except ServiceError:
            return []
        return [Draft(r["draft_key"], r["kind"], r["person_id"], dict(r["values"]), str(r["updated_at"]))
                for r in rows]

    def drop(self, key: str) -> None:
        """Forget a draft (saved, or discarded by the worker)."""
        if self._session.is_open:
            self._store().drop_draft(key)


def _filled(value: Any) -> bool:
    if isinstance(value, bool):
        return False  # yes/no selects always have a value; they alone are not typed work
    if isinstance(value, list | tuple | set):
        return bool(value)
    return str(value or "").strip() != ""
