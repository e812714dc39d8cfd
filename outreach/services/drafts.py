"""Drafts: what the worker typed into an open form, kept in the vault until it is saved or discarded.

A draft is kept on every change (debounced by the UI), when the app locks and when it quits, so a crash,
a dead battery or a closed lid loses at most the last second of typing. Drafts live in the encrypted vault
only (``storage`` migration ``0004_drafts``), never in a file of their own; they are not operations and are
never sent to the center.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from outreach.services._access import obj, string
from outreach.services.session import VaultSession


@dataclass(frozen=True)
class Draft:
    """One kept form: where it belongs and what was typed (``values`` by field name)."""

    key: str
    kind: str
    person_id: str | None
    values: dict[str, object]
    updated_at: str


def draft_key(kind: str, person_id: str | None) -> str:
    """One draft per form and person; a new person's application gets a key of its own."""
    return f"{kind}:{person_id}" if person_id else f"{kind}:new-{uuid.uuid4().hex[:12]}"


class DraftService:
    """Keep, list and forget drafts of the open vault."""

    def __init__(self, session: VaultSession) -> None:
        self._session = session

    def keep(self, key: str, kind: str, person_id: str | None, values: dict[str, object]) -> None:
        """Keep the form's values (replacing the previous draft of ``key``). Empty forms are not kept.

        Raises:
            ServiceError: the vault is closed (``VaultSession.vault``).
        """
        if not any(_filled(v) for v in values.values()):
            self.drop(key)
            return
        clean = {k: (list(v) if isinstance(v, tuple | set) else v) for k, v in values.items()}
        self._session.vault.put_draft(key, kind, person_id, clean)

    def list(self) -> list[Draft]:
        """Every kept draft, the newest first; [] when the vault is not open."""
        if not self._session.is_open:
            return []
        return [Draft(string(r.get("draft_key")), string(r.get("kind")), string(r.get("person_id")) or None,
                      obj(r.get("values")) or {}, string(r.get("updated_at")))
                for r in self._session.vault.drafts()]

    def drop(self, key: str) -> None:
        """Forget a draft (saved, or discarded by the worker)."""
        if self._session.is_open:
            self._session.vault.drop_draft(key)


def _filled(value: object) -> bool:
    if isinstance(value, bool):
        return False  # yes/no selects always have a value; they alone are not typed work
    if isinstance(value, list | tuple | set):
        return bool(value)
    return str(value or "").strip() != ""
