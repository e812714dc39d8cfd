"""The factory choosing a reader backend: PC/SC (pyscard) or the in-process simulator."""

from __future__ import annotations

from typing import Any, Literal

from hardware.base import CardReader, ReaderWatcher, RoleRules, WatchCallbacks

BackendKind = Literal["pcsc", "simulator"]


def open_reader(
    kind: BackendKind = "pcsc",
    *,
    rules: RoleRules | None = None,
    profile: dict[str, Any] | str | None = None,
    psam: bool = False,
) -> CardReader:
    """Open a reader backend.

    Args:
        kind: ``"pcsc"`` for real readers through pcscd / WinSCard, ``"simulator"`` for the in-process
            simulator (``--demo``, unit tests).
        rules: How to tell PSAM slots from user-card slots (default :class:`RoleRules`).
        profile: Simulator only: a card to insert at once (profile dict, shipped name or JSON path).
        psam: Simulator only: add a slot holding the test PSAM.

    Returns:
        A :class:`CardReader`. Opening never talks to the service; errors come from the first call.

    Raises:
        ValueError: unknown ``kind``.
    """
    if kind == "pcsc":
        from hardware.pcsc import PcscReader

        return PcscReader(rules)
    if kind == "simulator":
        from hardware.simulator.inprocess import PSAM_SLOT, USER_SLOT, SimulatedReader
        from hardware.simulator.profiles import load_profile

        reader = SimulatedReader(rules, readers=(USER_SLOT, PSAM_SLOT) if psam else (USER_SLOT,))
        if profile is not None:
            reader.insert(profile)
        if psam:
            reader.insert(load_profile("psam"), PSAM_SLOT)
        return reader
    raise ValueError(f"unknown reader backend {kind!r}")


def open_watcher(
    callbacks: WatchCallbacks,
    kind: BackendKind = "pcsc",
    *,
    reader: CardReader | None = None,
    poll_interval: float = 0.5,
) -> ReaderWatcher:
    """A started watcher over ``reader`` (or a new backend of ``kind``).

    Args:
        callbacks: Plain callables, called on the watcher's thread.
        kind: Backend when ``reader`` is not given.
        reader: Watch this backend (e.g. the demo's :class:`~hardware.simulator.SimulatedReader`).
        poll_interval: Upper bound between checks, in seconds.

    Returns:
        The running :class:`ReaderWatcher`; call ``stop()`` when done.
    """
    watcher = (reader or open_reader(kind)).watcher(callbacks, poll_interval=poll_interval)
    watcher.start()
    return watcher
