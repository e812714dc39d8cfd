"""Legal precedence between card statuses recorded concurrently, and deterministic operation ids.

When two devices (or a device and the center) record different statuses for the same card, the law settles some
conflicts: cancellation (death, Art. 27) and a completed replacement/exchange (Art. 20, 25) end the card; a formal
loss report (Art. 18) overrides a temporary one (Art. 16-17), and any loss report locks an active card (Art. 17-18)
or a suspended one (the suspension is kept under the loss report, Art. 42). Everything else (e.g. suspended
against active, or two different terminal statuses) is left to a person.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from outreach.domain.enums import CardStatus
from outreach.domain.operation import canonical_json

_RANK: dict[CardStatus, int] = {
    CardStatus.ACTIVE: 0,
    CardStatus.SUSPENDED: 0,  # a loss report over it keeps the suspension (``suspended_on``)
    CardStatus.TEMP_LOST: 1,
    CardStatus.LOST: 2,
    CardStatus.CANCELLED: 3,
    CardStatus.REPLACED: 3,
    CardStatus.EXCHANGED: 3,
}

#: Namespace of :func:`deterministic_op_id` (fixed forever: changing it changes every center-made id).
OP_ID_NAMESPACE = uuid.UUID("6f1c3b2e-9a53-5d0e-8a43-3c2d1e0f4a71")


def precedence(a: CardStatus, b: CardStatus) -> CardStatus | None:
    """The status that wins by law when ``a`` and ``b`` were recorded concurrently, or None if the law does not
    settle it: terminal (cancelled / replaced / exchanged) > lost > temp_lost > active. Equal statuses win
    trivially. Raises nothing."""
    if a == b:
        return a
    ra, rb = _RANK.get(a), _RANK.get(b)
    if ra is None or rb is None or ra == rb:
        return None
    return a if ra > rb else b


def deterministic_op_id(person_id: str, event: BaseModel | dict[str, Any]) -> str:
    """UUID5 of the person id and the event's canonical JSON, so that two center processes deriving the same
    time-driven event produce the same operation id. Raises ``ValueError`` for non-JSON values (e.g. NaN)."""
    data = event.model_dump(mode="json") if isinstance(event, BaseModel) else event
    return str(uuid.uuid5(OP_ID_NAMESPACE, person_id + "\n" + canonical_json(data).decode("utf-8")))
