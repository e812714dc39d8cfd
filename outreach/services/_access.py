"""Reading the untyped parts the other layers hand over (JSON rows of push outcomes, payloads) into types.

The records themselves (people, cards, visits, operations) come typed from the vault; only what is JSON by
nature (a payload, a center answer) is read here, once, at the edge of the use case.
"""

from __future__ import annotations

from datetime import datetime

from outreach.services.ports import JSONObject


def obj(value: object) -> JSONObject | None:
    """``value`` as a JSON object, or None when it is not one."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else None


def objs(value: object) -> list[JSONObject]:
    """The JSON objects of a list (anything else skipped)."""
    return [o for o in (obj(v) for v in value) if o is not None] if isinstance(value, list) else []


def string(value: object) -> str:
    return "" if value is None else str(value)


def integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def text(value: object) -> str:
    """Enum members show their value; None shows nothing."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def hlc_when(hlc: str) -> str:
    """The local time of a hybrid-logical-clock stamp (``<wall ms>.<counter>``), ``YYYY-MM-DD HH:MM``."""
    try:
        wall = int(str(hlc).split(".", 1)[0])
    except ValueError:
        return ""
    return datetime.fromtimestamp(wall / 1000).strftime("%Y-%m-%d %H:%M")
