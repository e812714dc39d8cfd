"""Reading a passphrase for scripts and people, never from an argument.

Sources, in order: ``--passphrase-fd N`` (an inherited file descriptor), ``--passphrase-file PATH``,
then an interactive prompt without echo. Only the first line is used; the trailing newline is dropped.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def add_passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="PATH", help="read the passphrase from this file")
    parser.add_argument("--passphrase-fd", metavar="N", type=int, help="read the passphrase from this fd")


def _first_line(data: str) -> str:
    return data.split("\n", 1)[0].rstrip("\r")


def read_passphrase(args: argparse.Namespace, prompt: str = "口令 Passphrase: ", *, confirm: bool = False) -> str:
    """Return the passphrase from fd, file or prompt. Raises SystemExit(2) with a message on failure."""
    fd = getattr(args, "passphrase_fd", None)
    path = getattr(args, "passphrase_file", None)
    try:
        if fd is not None:
            with os.fdopen(os.dup(fd), "r", encoding="utf-8") as f:
                return _first_line(f.read())
        if path:
            with open(path, encoding="utf-8") as f:
                return _first_line(f.read())
    except OSError as exc:
        print(f"无法读取口令 / cannot read the passphrase: {exc.strerror}", file=sys.stderr)
        raise SystemExit(2) from None
    if not sys.stdin.isatty():
        print("需要口令：请在终端运行，或使用 --passphrase-file / --passphrase-fd\n"
              "a passphrase is needed: run in a terminal or use --passphrase-file / --passphrase-fd",
              file=sys.stderr)
        raise SystemExit(2)
    first = getpass.getpass(prompt)
    if confirm:
        second = getpass.getpass("再次输入 Again: ")
        if first != second:
            print("两次输入的口令不一致 / the passphrases do not match", file=sys.stderr)
            raise SystemExit(2)
    return first


def read_new_passphrase(args: argparse.Namespace, prompt: str = "新口令 New passphrase: ") -> str:
    """A new passphrase: from ``--new-passphrase-file`` / ``--new-passphrase-fd`` or prompted twice."""
    ns = argparse.Namespace(
        passphrase_file=getattr(args, "new_passphrase_file", None),
        passphrase_fd=getattr(args, "new_passphrase_fd", None),
    )
    return read_passphrase(ns, prompt, confirm=True)
