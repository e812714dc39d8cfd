"""Reading a passphrase for scripts and people, never from an argument.

Sources, in order: ``--passphrase-fd N`` (an inherited file descriptor), ``--passphrase-file PATH``,
then an interactive prompt without echo. Only the first line is used; the trailing newline is dropped.
A file or descriptor that is not UTF-8 text, or gives an empty first line, is refused with a message
(exit 2), never a traceback.
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


def _usage(message: str) -> SystemExit:
    print(message, file=sys.stderr)
    return SystemExit(2)


def _checked(text: str) -> str:
    line = _first_line(text)
    if not line:
        raise _usage("口令为空（文件第一行没有内容） / the passphrase is empty (nothing on the first line)")
    if "\x00" in line:
        raise _usage("口令文件不是文本 / the passphrase file is not text")
    return line


def read_passphrase(args: argparse.Namespace, prompt: str = "口令 Passphrase: ", *, confirm: bool = False) -> str:
    """Return the passphrase from fd, file or prompt. Raises SystemExit(2) with a message on failure."""
    fd = getattr(args, "passphrase_fd", None)
    path = getattr(args, "passphrase_file", None)
    try:
        if fd is not None:
            with os.fdopen(os.dup(fd), "r", encoding="utf-8") as f:
                return _checked(f.read())
        if path:
            with open(path, encoding="utf-8") as f:
                return _checked(f.read(64 * 1024))
    except OSError as exc:
        raise _usage(f"无法读取口令 / cannot read the passphrase: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _usage("口令文件不是 UTF-8 文本 / the passphrase file is not UTF-8 text") from None
    if not sys.stdin.isatty():
        print("需要口令：请在终端运行，或使用 --passphrase-file / --passphrase-fd\n"
              "a passphrase is needed: run in a terminal or use --passphrase-file / --passphrase-fd",
              file=sys.stderr)
        raise SystemExit(2)
    first = getpass.getpass(prompt)
    if not first:
        raise _usage("口令不能为空 / the passphrase must not be empty")
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
