"""Card readers for the social security card: PC/SC or simulated, read into one validated value.

Public API::

    from hardware import open_reader, CardData, HardwareError
    reader = open_reader("pcsc")              # or open_reader("simulator", profile="v2")
    data = reader.read_card()                 # -> CardData (frozen); raises a HardwareError subclass
    watcher = reader.watcher(WatchCallbacks(on_card_inserted=...)); watcher.start()

``hardware`` imports nothing else of ours.
"""

from hardware.base import CardReader, ReaderInfo, ReaderWatcher, RoleRules, WatchCallbacks
from hardware.errors import (
    CardError,
    CardLocked,
    CardRemoved,
    HardwareError,
    NoCard,
    NoReader,
    NotSocialSecurityCard,
    PsamError,
    PsamRequired,
    ReaderBusy,
    ReaderError,
    ReaderServiceUnavailable,
    UnreadableData,
)
from hardware.factory import open_reader, open_watcher
from hardware.model import CardData, CardWarning, Generation, ReaderRole
from hardware.reading import read_card

__all__ = [
    "CardData",
    "CardError",
    "CardLocked",
    "CardReader",
    "CardRemoved",
    "CardWarning",
    "Generation",
    "HardwareError",
    "NoCard",
    "NoReader",
    "NotSocialSecurityCard",
    "PsamError",
    "PsamRequired",
    "ReaderBusy",
    "ReaderError",
    "ReaderInfo",
    "ReaderRole",
    "ReaderServiceUnavailable",
    "ReaderWatcher",
    "RoleRules",
    "UnreadableData",
    "WatchCallbacks",
    "open_reader",
    "open_watcher",
    "read_card",
]
