"""Printing a receipt through CUPS, from memory: ``lp -d PRINTER -`` reads the PDF on its standard input.

No file is written on the laptop (the PDF never touches a temporary file; the queue's own spool copy is
removed once printed when cupsd runs with ``PreserveJobFiles No``, which ``scripts/services.sh`` sets).
Before sending, ``lpstat`` tells whether the print service runs (``-r``) and how the printer is (``-l -p``,
``-l`` first: lpstat applies its options in order, and ``-p P -l`` shows no alerts at all): disabled, or an
alert such as ``media-jam`` / ``media-empty``. After sending, the job is followed for a few
seconds: a printer that jams or goes offline on this very receipt is said too, and the job is cancelled, so its
spool copy (personal data) does not wait in the queue to come out unseen hours later. Each problem is one
bilingual error; the receipt itself stays in the vault (it is rebuilt from the operation), so it can always be
reprinted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
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
#: printer-state-reasons (RFC 8011 / PWG 5100.9 keywords, severity suffix removed) that need the worker's hands.
_JAM = ("media-jam", "media-empty", "media-needed", "cover-open", "door-open", "input-tray-missing",
        "output-area-full", "marker-supply-empty", "toner-empty")
_OFFLINE = ("offline", "shutdown", "connecting-to-device", "paused", "stopped")
_PRINTER_NAME = re.compile(r"^[^\s/#'\"\\]{1,127}$")


@dataclass(frozen=True)
class PrintCommands:
    """The CUPS client programs (other paths in tests, or where CUPS lives elsewhere)."""

    lp: str = "lp"
    lpstat: str = "lpstat"
    cancel: str = "cancel"
    timeout: float = 30.0
    follow: float = 20.0
    """Seconds to watch a sent job for a jam or the printer going offline (0: do not watch)."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # lpstat's words are parsed below; the worker sees our own messages
    env["LANG"] = "C"
    return env


def reasons_of(lpstat_output: str) -> set[str]:
    """The printer-state-reasons of ``lpstat -l -p`` (its ``Alerts:`` line), without the ``-error`` /
    ``-warning`` severity; ``*-report`` ones (``offline-report``: the printer can report going offline) are
    capabilities, not states, and are left out."""
    text = lpstat_output.lower()
    out: set[str] = set()
    for line in text.splitlines():
        if line.strip().startswith("alerts:"):
            for word in line.split(":", 1)[1].replace(",", " ").split():
                if word.endswith("-report") or word == "none":
                    continue
                out.add(word.removesuffix("-error").removesuffix("-warning"))
    return out


def problem_of(lpstat_output: str, *, enabled_too: bool = False) -> ReceiptError | None:
    """What ``lpstat -l -p PRINTER`` says is wrong with the printer, or None when it can print.

    ``printer P disabled since ...`` is a stopped printer (by CUPS after a failed job, or by the worker): jammed
    when its reasons say so (``media-jam``, ``media-empty`` ...), else offline. An enabled printer's reasons
    are not trusted unless ``enabled_too``: CUPS keeps listing ``media-jam-error`` after the worker cleared the
    jam and resumed the printer, until the next job runs, so refusing on it would refuse for ever. A job then
    tells whether the printer is really fine (see :func:`_follow`).
    """
    text = lpstat_output.lower()
    first = text.splitlines()[0] if text.strip() else ""
    reasons = reasons_of(text)
    jam, offline = reasons & set(_JAM), reasons & set(_OFFLINE)
    if " disabled" in first:
        return PrinterJammed() if jam else PrinterOffline()
    if not enabled_too:
        return None
    if jam:
        return PrinterJammed()
    if offline:
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
        state = subprocess.run([commands.lpstat, "-l", "-p", printer], capture_output=True, text=True,
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


#: The CUPS ``media`` of each paper. Without it a queue prints on its default size (Letter or A4) and the
#: driver scales the A5 receipt to it. The roll has none: an 80 mm roll printer's default is its roll, and the
#: strip is as long as the receipt (the driver cuts after the page).
MEDIA: dict[str, str | None] = {"a5": "A5", "roll80": None}


def print_pdf(data: bytes, printer: str | None, *, title: str = "receipt", media: str | None = None,
              commands: PrintCommands = PrintCommands()) -> str:
    """Send PDF bytes to ``printer`` from memory; returns the CUPS job id.

    ``title`` becomes the job name that ``lpstat -o`` shows: never put personal data in it. ``media`` is the
    paper to print on (:data:`MEDIA`), None for the queue's default.

    Raises:
        NoPrinter, PrintServiceDown, PrinterOffline, PrinterJammed: see :func:`check_printer`; the last two
            also when the printer stops on this job (it is cancelled then).
        PrintFailed: ``lp`` refused the job.
    """
    name = check_printer(printer, commands)
    try:
        options = ["-o", f"media={media}"] if media else []
        done = subprocess.run([commands.lp, "-d", name, "-t", title, *options, "-"], input=data,
                              capture_output=True, env=_env(), timeout=commands.timeout, check=False)
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
    job = match.group(1) if match else ""
    if job and commands.follow > 0:
        _follow(job, name, commands)
    return job


def _follow(job: str, printer: str, commands: PrintCommands) -> None:
    """Watch ``job`` until it has left the queue (printed) or the printer reports a problem, at most
    ``commands.follow`` seconds (a job still printing then is taken as printing).

    Raises:
        PrinterJammed, PrinterOffline: the printer stopped on this job (the job is cancelled).
    """
    end = time.monotonic() + commands.follow
    while True:
        try:
            queued = subprocess.run([commands.lpstat, "-o", printer], capture_output=True, text=True, env=_env(),
                                    timeout=commands.timeout, stdin=subprocess.DEVNULL, check=False)
            state = subprocess.run([commands.lpstat, "-l", "-p", printer], capture_output=True, text=True,
                                   env=_env(), timeout=commands.timeout, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return  # the job was accepted; a slow scheduler is no reason to call it failed
        waiting = any(line.split()[:1] == [job] for line in queued.stdout.splitlines())
        if not waiting:
            return
        late = time.monotonic() >= end  # still waiting: now an enabled printer's jam or offline reason is real
        problem = problem_of(state.stdout, enabled_too=late) if state.returncode == 0 else None
        if problem is not None:
            subprocess.run([commands.cancel, job], capture_output=True, env=_env(), timeout=commands.timeout,
                           stdin=subprocess.DEVNULL, check=False)
            raise problem
        if late:
            return
        time.sleep(0.25)
