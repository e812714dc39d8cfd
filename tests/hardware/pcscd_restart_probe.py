"""Subprocess for the pcscd-restart test: a PcscReader + watcher talking to a private pcscd.

libpcsclite fixes its socket path per process (PCSCLITE_CSOCK_NAME), hence a subprocess. Events are printed as
JSON lines; commands arrive on stdin: ``read`` (read the card in argv[1]) and ``quit``.
"""

from __future__ import annotations

import json
import sys

from hardware import HardwareError, WatchCallbacks
from hardware.pcsc import PcscReader


def emit(*item: object) -> None:
    print(json.dumps(item), flush=True)


def main() -> None:
    reader_name = sys.argv[1]
    reader = PcscReader()
    watcher = reader.watcher(
        WatchCallbacks(
            on_reader_added=lambda r: emit("reader+", r),
            on_reader_removed=lambda r: emit("reader-", r),
            on_card_inserted=lambda r, atr: emit("card+", r),
            on_card_removed=lambda r: emit("card-", r),
            on_service=lambda e: emit("service", None if e is None else type(e).__name__),
        ),
        poll_interval=0.2,
    )
    watcher.start()
    emit("started")
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "read":
            try:
                emit("read", reader.read_card(reader_name, psam=None).card_number)
            except HardwareError as exc:
                emit("error", type(exc).__name__)
        elif cmd == "quit":
            break
    emit("alive", watcher.running)
    watcher.stop()


if __name__ == "__main__":
    main()
