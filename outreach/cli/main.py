"""Entry point of the ``outreach`` command.

``outreach`` alone (or ``outreach --demo``) starts the worker's app; subcommands are scriptable.
Each command group lives in its own module with ``register(subparsers)``; a handler returns the exit code.

No command ends in a traceback (:mod:`outreach.cli.crash`): a terminal that cannot show Chinese gets
replacement characters, output cut off by ``head`` ends quietly, and any unexpected exception becomes one
line in the user's language pointing to a log file that holds no personal data.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from outreach.cli import crash

#: Command-group modules; each defines ``register(subparsers) -> None``.
COMMAND_MODULES = (
    "outreach.cli.vault_cmd",  # vault init|check|passwd|salvage ; log verify ; demo seed
    "outreach.cli.id_cmd",  # id check
    "outreach.cli.card_cmd",  # card readers|read|watch|simulate
    "outreach.cli.sync_cmd",  # enrol ; sync ; sync export|import-reply
    "outreach.cli.center_cmd",  # center serve|enrol|status|import|load|assign
    "outreach.cli.receipt_cmd",  # receipt print|save|speak|verify
    "outreach.cli.export_cmd",  # export run|verify ; center export (after center_cmd)
    "outreach.cli.session_cmd",  # session list|plan|import|prepare|walk-in|record|progress|close|report
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outreach",
        description="海南社保卡上门服务 / Hainan social security card outreach",
    )
    parser.add_argument("--demo", action="store_true", help="throwaway demo vault, simulated reader, embedded center")
    parser.add_argument("--vault", metavar="PATH", help="vault file (default: the platform data folder)")
    parser.add_argument("--lang", choices=["zh_CN", "en"], help="user-interface language")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def _run(argv: Sequence[str] | None, seen: crash.Seen) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    seen.args = args
    if args.command is None:
        from outreach.ui.run import run_app

        return run_app(demo=args.demo, vault=args.vault, lang=args.lang)
    handler = getattr(args, "func", None)
    if handler is None:
        parser.parse_args([*(argv or sys.argv[1:]), "--help"])
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("已取消 / cancelled", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    crash.safe_streams()
    seen = crash.Seen()
    try:
        code = _run(argv, seen)
        sys.stdout.flush()
        return code
    except SystemExit as exc:  # argparse and the passphrase readers: their message is printed already
        status = exc.code
        return status if isinstance(status, int) else (0 if status is None else 2)
    except KeyboardInterrupt:
        print("已取消 / cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `outreach ... | head`: the reader left; say nothing more
        crash.silence_stdout()
        return 141
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into words
        return crash.report(exc, seen)


if __name__ == "__main__":
    raise SystemExit(main())
