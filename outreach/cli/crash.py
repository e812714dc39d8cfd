"""What the ``outreach`` command does when something goes wrong that no handler expected.

* :func:`safe_streams`: a stdout/stderr that cannot encode Chinese (an ASCII locale, ``PYTHONIOENCODING``)
  prints ``?`` for what it cannot show instead of raising ``UnicodeEncodeError``.
* :func:`report`: one line in the user's language (``--lang``, ``OUTREACH_LANGUAGE``, else Chinese then
  English) naming the kind of error and the log file. The log entry holds the time, the command words
  (subcommand names only: arguments may be identity numbers), the exception types and the code locations
  of the traceback. Never the exception's text or any value: those may hold personal data or secrets.
  The log file is mode 600 in the data folder (else the temporary folder).
* :func:`silence_stdout`: after a broken pipe, point stdout at ``/dev/null`` so that the interpreter's own
  final flush cannot print a second error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

LOG_NAME = "outreach-errors.log"
#: Attribute names of parsed arguments that are subcommand words, not values.
_WORDS = ("command", "vault_command", "log_command", "demo_command", "id_command", "card_command",
          "sync_command", "center_command")


@dataclass
class Seen:
    """What the entry point knew when the error came (the parsed arguments, once parsed)."""

    args: argparse.Namespace | None = None


def safe_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "中文".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]


def silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def language(args: argparse.Namespace | None) -> str:
    chosen = getattr(args, "lang", None) or os.environ.get("OUTREACH_LANGUAGE") or "zh_CN"
    return "en" if chosen == "en" else "zh_CN"


def command_words(args: argparse.Namespace | None) -> str:
    if args is None:
        return "(arguments not parsed)"
    words = [str(getattr(args, name)) for name in _WORDS if getattr(args, name, None)]
    return " ".join(words) or "(app)"


def _entry(exc: BaseException, args: argparse.Namespace | None) -> str:
    lines = [f"--- {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} outreach {command_words(args)}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines) + "\n"


def _folders() -> list[Path]:
    folders = []
    with contextlib.suppress(Exception):
        from outreach import locations

        folders.append(locations.data_dir())
    folders.append(Path(tempfile.gettempdir()))
    return folders


def write_log(exc: BaseException, args: argparse.Namespace | None) -> Path | None:
    """Append the entry to the first log file that can be written; None when none could."""
    entry = _entry(exc, args).encode("utf-8", "replace")
    for folder in _folders():
        path = folder / LOG_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, entry)
            finally:
                os.close(fd)
            return path
        except OSError:
            continue
    return None


def report(exc: BaseException, seen: Seen) -> int:
    """Print the one line for an unexpected ``exc`` and log it; returns the exit code 1."""
    path = write_log(exc, seen.args)
    kind = type(exc).__name__
    if path is None:
        zh = f"意外错误（{kind}），命令未完成；无法写入日志"
        en = f"unexpected error ({kind}); the command did not finish; no log could be written"
    else:
        zh = f"意外错误（{kind}），命令未完成；详情（不含个人信息）见 {path}"
        en = f"unexpected error ({kind}); the command did not finish; details (no personal data) in {path}"
    line = en if language(seen.args) == "en" else f"{zh} / {en}"
    with contextlib.suppress(Exception):
        print(line, file=sys.stderr, flush=True)
    return 1
