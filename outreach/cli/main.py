"""Entry point of the ``outreach`` command.

``outreach`` alone (or ``outreach --demo``) starts the worker's app; subcommands are scriptable.
Each command group lives in its own module with ``register(subparsers)``; a handler returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Command-group modules; each defines ``register(subparsers) -> None``.
COMMAND_MODULES = (
    "outreach.cli.vault_cmd",  # vault init|check|passwd ; log verify ; demo seed
    "outreach.cli.id_cmd",  # id check
    "outreach.cli.card_cmd",  # card readers|read|watch|simulate
    "outreach.cli.sync_cmd",  # enrol ; sync ; sync export|import-reply
    "outreach.cli.center_cmd",  # center serve|enrol|status|import|load|assign
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
