"""What the services need of the other layers, written down as Protocols.

The services are written against these small interfaces rather than against the concrete classes, so that
each piece can be replaced in tests and a missing piece degrades instead of crashing. The concrete classes
(``storage.Vault``, the ``hardware`` reader, the ``sync`` client) satisfy them structurally.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class VaultPort(Protocol):
    """The encrypted vault (``storage.Vault``), as far as the services use it.

    Raises (any method): the storage layer's own errors; the services turn them into user messages.
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

    def record_push_results(self, results: list[dict[str, Any]]) -> None: ...

    def apply_pulled(self, changes: list[dict[str, Any]], checkpoint: str) -> None: ...

    def op_outcomes(self, open_only: bool = False) -> list[dict[str, Any]]: ...

    def operations_by_id(self, op_ids: Iterable[str]) -> dict[str, Any]: ...

    def append(self, kind: str, subject: str, payload: dict[str, Any], *, base_version: int | None = None) -> Any:
        """Append one operation durably; returns the ``Operation``."""

    def operations(self, after_seq: int = 0, *, subject: str | None = None) -> Iterator[Any]:
        """This device's operations in order; ``subject``: only that person's (indexed)."""

    def find_people(self, text: str, limit: int = 50) -> list[Any]:
        """People matching name prefix, pinyin initials, identity number (full or last digits), card number."""

    def get_person(self, person_id: str) -> Any | None: ...

    def person_cards(self, person_id: str) -> Any | None: ...

    def subject_version(self, person_id: str) -> int: ...

    def visits(self, day: Any = None) -> list[Any]: ...

    def pending_operations(self, limit: int = 500) -> list[Any]: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def put_attachment(self, data: bytes, mime: str) -> str: ...

    def attachment_info(self, ref: str) -> tuple[str, str, int] | None: ...

    def get_attachment(self, ref: str) -> bytes: ...

    def close(self) -> None: ...


class CardReaderPort(Protocol):
    """A card reader (``hardware``): real PC/SC or simulated.

    ``present()`` says whether a card sits in the reader; ``read()`` returns the card's data as a plain
    mapping with at least ``card_number`` and ``ss_number`` (either may be None).

    Raises: ``ReaderUnavailable`` (no reader), ``CardReadError`` (card removed, unreadable) from ``read``.
    """

    name: str

    def present(self) -> bool: ...

    def read(self) -> dict[str, Any]: ...


ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stage is "push" or "pull"."""


class SyncPort(Protocol):
    """The sync client (``sync``).

    ``sync_once(progress=..., cancel=...)`` pushes the outbox and pulls changes; returns a mapping with
    ``pushed``, ``pulled``, ``rejected``, ``conflicts`` (counts). It checks ``cancel`` between batches and
    stops cleanly when it is set (everything done so far is kept; a retry is always safe).

    Raises: the sync layer's errors (center unreachable, enrolment missing, ...).
    """

    def sync_once(self, *, progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> Any: ...
