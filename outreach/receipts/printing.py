"""Printing a receipt through CUPS, from memory: ``lp -d PRINTER -`` reads the PDF on its standard input.

No file is written on the laptop (the PDF never touches a temporary file; the queue's own spool copy is
removed once printed when cupsd runs with ``PreserveJobFiles No``, which ``scripts/services.sh`` sets).
Before sending, ``lpstat`` tells whether the print service runs (``-r``) and how the printer is (``-p -l``):
disabled, or an alert such as ``media-jam`` / ``media-empty``. Each problem is one bilingual error; the receipt
itself stays in the vault (it is rebuilt from the operation), so it can always be reprinted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from outreach.receipts.errors import (
    NoPrinter,
    PrinterJammed,
    PrinterOffline,
    PrintFailed,
    PrintServiceDown,
    ReceiptError,
)

_JOB = re.compile(r"request id is (\S+)")
_JAM = ("media-jam", "media-empty", "media-needed", "cover-open", "door-open", "input-tray-missing",
        "output-area-full", "marker-supply-empty", "toner-empty")
_OFFLINE = ("offline", "shutdown", "connecting-to-device", "paused", "stopped")
_PRINTER_NAME = re.compile(r"^[^\s/#'\"\\]{1,127}$")


@dataclass(frozen=True)
class PrintCommands:
    """The CUPS client programs (other paths in tests, or where CUPS lives elsewhere)."""

    lp: str = "lp"
    lpstat: str = "lpstat"
    timeout: float = 30.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # lpstat's words are parsed below; the worker sees our own messages
    env["LANG"] = "C"
    return env


def problem_of(lpstat_output: str) -> ReceiptError | None:
    """What ``lpstat -p PRINTER -l`` says is wrong with the printer, or None when it can print.

    ``printer P disabled since ...`` is offline (stopped by CUPS or by the worker); an ``Alerts:`` line
    lists printer-state-reasons such as ``media-jam-error`` or ``media-empty-warning``.
    """
    text = lpstat_output.lower()
    alerts = " ".join(line.split(":", 1)[1] for line in text.splitlines() if line.strip().startswith("alerts:"))
    if any(word in alerts for word in _JAM):
        return PrinterJammed()
    first = text.splitlines()[0] if text.strip() else ""
    if " disabled" in first or any(word in alerts for word in _OFFLINE):
        return PrinterOffline()
    return None


def check_printer(printer: str | None, commands: PrintCommands = PrintCommands()) -> str:
    """The printer's name when it can take a job now.

    Raises:
        NoPrinter: none set, or CUPS does not know it.
        PrintServiceDown: no CUPS client programs, or the scheduler does not run.
        PrinterOffline, PrinterJammed: what lpstat reports.
    """
    if not printer or not printer.strip():
        raise NoPrinter()
    printer = printer.strip()
    if not _PRINTER_NAME.match(printer):
        raise NoPrinter()
    if shutil.which(commands.lp) is None or shutil.which(commands.lpstat) is None:
        raise PrintServiceDown("lp")
    try:
        sched = subprocess.run([commands.lpstat, "-r"], capture_output=True, text=True, env=_env(),
                               timeout=commands.timeout, stdin=subprocess.DEVNULL, check=False)
        if "is running" not in sched.stdout or "not running" in sched.stdout:
            raise PrintServiceDown("cupsd")
        state = subprocess.run([commands.lpstat, "-p", printer, "-l"], capture_output=True, text=True,
                               env=_env(), timeout=commands.timeout, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintServiceDown("timeout") from exc
    if state.returncode != 0 or not state.stdout.strip():
        if "invalid destination" in state.stderr.lower() or "not exist" in state.stderr.lower():
            raise NoPrinter()
        raise PrintServiceDown(f"lpstat exit {state.returncode}")
    problem = problem_of(state.stdout)
    if problem is not None:
        raise problem
    return printer


def print_pdf(data: bytes, printer: str | None, *, title: str = "receipt",
              commands: PrintCommands = PrintCommands()) -> str:
    """Send PDF bytes to ``printer`` from memory; returns the CUPS job id.

    ``title`` becomes the job name that ``lpstat -o`` shows: never put personal data in it.

    Raises:
        NoPrinter, PrintServiceDown, PrinterOffline, PrinterJammed: see :func:`check_printer`.
        PrintFailed: ``lp`` refused the job.
    """
    name = check_printer(printer, commands)
    try:
        done = subprocess.run([commands.lp, "-d", name, "-t", title, "-"], input=data, capture_output=True,
                              env=_env(), timeout=commands.timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintServiceDown("timeout") from exc
    err = done.stderr.decode("utf-8", "replace").lower()
    if done.returncode != 0:
        if "does not exist" in err or "invalid destination" in err:
            raise NoPrinter()
        if "scheduler" in err or "connect" in err:
            raise PrintServiceDown(f"lp exit {done.returncode}")
        if "not accepting" in err:
            raise PrinterOffline()
        raise PrintFailed(f"lp exit {done.returncode}")
    match = _JOB.search(done.stdout.decode("utf-8", "replace"))
    return match.group(1) if match else ""
