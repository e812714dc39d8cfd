"""What the services need of the other layers, written down as Protocols.

The services are written against these small interfaces, typed with the domain's records, rather than against
the concrete classes, so that the use cases say exactly what they need. ``storage.Vault`` and the sync client
satisfy them structurally (mypy checks it below); the card reader is ``hardware.base.CardReader`` itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from outreach.domain.models import CardState, Person, PersonCards, Visit
from outreach.domain.operation import Operation
from sync.client.client import SyncSummary

#: A JSON object as the storage and sync layers pass it (an operation's payload, a center answer row).
JSONObject = dict[str, object]


@runtime_checkable
class VaultPort(Protocol):
    """The encrypted vault (``storage.Vault``), as far as the services use it. ``storage.Vault`` satisfies it
    (checked by mypy below), so a service that needs more of the vault declares it here first.

    Raises (any method): the storage layer's own errors (``storage.errors``); the services catch them by type.
    """

    @property
    def device_id(self) -> str: ...

    @property
    def worker_id(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    @property
    def damaged(self) -> bool:
        """A page failed its check at opening: the vault is read-only (``outreach vault salvage`` copies it)."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature by the device key (receipts)."""
        ...

    def record_push_results(self, results: list[dict[str, object]]) -> None: ...

    def apply_pulled(self, changes: list[dict[str, object]], checkpoint: str) -> None: ...

    def pull_checkpoint(self) -> str | None: ...

    def op_outcomes(self, open_only: bool = False) -> list[dict[str, object]]: ...

    def operations_by_id(self, op_ids: Iterable[str]) -> dict[str, Operation]: ...

    def append(self, kind: str, subject: str, payload: dict[str, object], *,
               base_version: int | None = None) -> Operation:
        """Append one operation durably; returns it."""
        ...

    def append_many(self, items: Iterable[tuple[str, str, dict[str, object]]]) -> list[Operation]: ...

    def operations(self, after_seq: int = 0, *, subject: str | None = None) -> Iterator[Operation]:
        """This device's operations in order; ``subject``: only that person's (indexed)."""
        ...

    def find_people(self, text: str, limit: int = 50) -> list[Person]:
        """People matching name prefix, pinyin initials, identity number (full or last digits), card number."""
        ...

    def get_person(self, person_id: str) -> Person | None: ...

    def person_cards(self, person_id: str) -> PersonCards | None: ...

    def cards_needing_attention(self, today: date, horizon_days: int = 30, overdue_days: int = 90,
                                limit: int | None = None) -> list[CardState]: ...

    def card_sources(self, person_id: str) -> list[dict[str, object]]: ...

    def subject_version(self, person_id: str) -> int: ...

    def visits(self, day: date | str | None = None, person_id: str | None = None) -> list[Visit]: ...

    def pending_operations(self, limit: int = 500) -> list[Operation]: ...

    def pending_count(self) -> int: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def put_attachment(self, data: bytes, mime: str) -> str: ...

    def attachment_info(self, ref: str) -> tuple[str, str, int] | None: ...

    def get_attachment(self, ref: str) -> bytes: ...

    def center_sessions(self) -> dict[str, dict[str, dict[str, object]]]:
        """Session records pulled from the center (an employer host's own sessions), by session and type."""
        ...

    def center_sessions_mark(self) -> tuple[int, str, float]:
        """A value that changes whenever a pull keeps a session record."""
        ...

    def put_draft(self, draft_key: str, kind: str, person_id: str | None, values: dict[str, object]) -> None: ...

    def drafts(self) -> list[dict[str, object]]: ...

    def drop_draft(self, draft_key: str) -> None: ...

    def close(self) -> None: ...


if TYPE_CHECKING:
    from storage import Vault

    def _vault_is_a_port(vault: Vault) -> VaultPort:
        return vault  # mypy: storage.Vault satisfies the port


ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stage is "push" or "pull"."""


class SyncPort(Protocol):
    """The sync client (``sync``).

    ``sync_once(progress=..., cancel=...)`` pushes the outbox and pulls changes; returns the client's
    ``SyncSummary`` (``pushed``, ``pulled``, ``rejected``, ``conflicts``, ``errors``, ``cancelled``). It checks ``cancel`` between batches and
    stops cleanly when it is set (everything done so far is kept; a retry is always safe).

    Raises: the sync layer's errors (center unreachable, enrolment missing, ...).
    """

    def sync_once(self, *, progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> SyncSummary: ...
