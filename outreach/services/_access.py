"""Reading values from the other layers' objects, whether pydantic models or plain mappings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def get(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name`` or ``obj[name]``; a dotted ``name`` walks down."""
    for part in name.split("."):
        if obj is None:
            return default
        obj = obj.get(part, None) if isinstance(obj, dict) else getattr(obj, part, None)
    return default if obj is None else obj


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def text(value: Any) -> str:
    """Enum members show their value; None shows nothing."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def dump(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    dumper = getattr(obj, "model_dump", None)
    if dumper is not None:
        result: dict[str, Any] = dumper(mode="json")
        return result
    return dict(vars(obj))


def hlc_when(hlc: str) -> str:
    """The local time of a hybrid-logical-clock stamp (``<wall ms>.<counter>``), ``YYYY-MM-DD HH:MM``."""
    from datetime import datetime

    try:
        wall = int(str(hlc).split(".", 1)[0])
    except ValueError:
        return ""
    return datetime.fromtimestamp(wall / 1000).strftime("%Y-%m-%d %H:%M")
