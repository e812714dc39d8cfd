"""``outreach receipt print|save|speak OP_ID`` and ``outreach receipt verify CODE [--center-db URL]``.

``print``, ``save`` and ``speak`` open the vault (passphrase from ``--passphrase-file`` / ``--passphrase-fd``
or a prompt) and rebuild the receipt of one operation; ``verify`` checks a QR payload or short code: with
``--center-db``, at the center (its store: every device's key and its decisions); on an enrolled laptop, by
asking the center over the network (one signed request); on this laptop alone (its vault, with the center's
decisions of the last sync) when the center cannot be reached or with ``--offline``.
Exit codes: 0 done / genuine, 1 refused / not genuine, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outreach.cli.secrets import add_passphrase_options, read_passphrase

if TYPE_CHECKING:
    from outreach.receipts.verify import Verdict


def _say_error(exc: Any) -> None:
    from outreach.i18n import CATALOGUES

    key = getattr(exc, "key", "error.generic")
    params = getattr(exc, "params", {}) or {}
    zh = CATALOGUES["zh_CN"].get(key, key).format(**params)
    en = CATALOGUES["en"].get(key, key).format(**params)
    print(f"{zh} / {en}", file=sys.stderr)
    detail = getattr(exc, "detail", None)
    if detail:
        print(f"{detail[0]} / {detail[1]}", file=sys.stderr)


def _service(args: argparse.Namespace) -> tuple[Any, Any]:
    from outreach.services.context import build_context
    from outreach.services.receipts import ReceiptService

    ctx = build_context(vault=args.vault_path)
    changes: dict[str, Any] = {}
    if getattr(args, "printer", None):
        changes["printer"] = args.printer
    if getattr(args, "paper", None):
        changes["receipt_paper"] = args.paper
    settings = ctx.settings.model_copy(update=changes)
    ctx.session.unlock(read_passphrase(args))
    return ctx, ReceiptService(ctx.session, lambda: settings)


def _run(args: argparse.Namespace, action: str) -> int:
    from outreach.services.errors import ServiceError

    ctx = None
    try:
        ctx, service = _service(args)
        if action == "print":
            printer = service.print(args.op_id, args.lang)
            print(f"回执已发送到打印机 / receipt sent to printer {printer}")
        elif action == "save":
            path = service.save(args.op_id, args.out, args.lang)
            print(f"回执已保存 / receipt saved: {path}")
        else:
            service.speak(args.op_id, args.lang)
    except ServiceError as exc:
        _say_error(exc)
        return 1
    finally:
        if ctx is not None:
            ctx.close()
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from outreach.receipts.content import tr
    from outreach.services.errors import ServiceError

    lang = args.lang or "zh_CN"
    if args.center_db:
        from outreach.cli.center_cmd import _store
        from outreach.receipts.center import verify_at_center

        store = _store(argparse.Namespace(db=args.center_db, pg_schema=args.pg_schema, key_file=None))
        try:
            verdict = verify_at_center(store, args.code)
        finally:
            store.close()
    else:
        ctx = None
        try:
            ctx, service = _service(args)
            asked: Verdict | None = None
            if not args.offline and service.enrolled():  # any enrolled laptop asks the center first
                try:
                    asked = service.verify_with_center(args.code)
                    print(tr(lang, "receipt.verify.asked_center"))
                except ServiceError as exc:
                    reason = (exc.detail[1] if lang == "en" else exc.detail[0]) if exc.detail else ""
                    print(tr(lang, "receipt.verify.center_unreachable", reason=reason))
            verdict = asked if asked is not None else service.verify(args.code)
        except ServiceError as exc:
            _say_error(exc)
            return 1
        finally:
            if ctx is not None:
                ctx.close()
    for line in verdict.lines(lang):
        print(line)
    return 0 if verdict.ok else 1


def register(sub: Any) -> None:
    parser = sub.add_parser("receipt", help="回执：打印、保存、朗读、核验 / receipts: print, save, read aloud, verify")
    rsub = parser.add_subparsers(dest="receipt_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--vault", dest="vault_path", metavar="PATH", help="vault file (default: data folder)")
        p.add_argument("--lang", choices=["zh_CN", "en"], help="receipt language (default: the settings')")
        add_passphrase_options(p)

    for action, text in (("print", "打印回执 / print the receipt"), ("save", "另存为PDF / save as PDF"),
                         ("speak", "朗读回执 / read the receipt aloud")):
        p = rsub.add_parser(action, help=text)
        p.add_argument("op_id", metavar="OP_ID", help="the operation's id")
        common(p)
        if action == "print":
            p.add_argument("--printer", help="CUPS queue (default: the settings')")
            p.add_argument("--paper", choices=["a5", "roll80"], help="paper (default: the settings')")
        if action == "save":
            p.add_argument("--out", required=True, type=Path, metavar="PATH", help="the .pdf file to write")
            p.add_argument("--paper", choices=["a5", "roll80"], help="paper (default: the settings')")
        p.set_defaults(func=lambda a, act=action: _run(a, act))

    v = rsub.add_parser("verify", help="核验回执 / check a receipt's QR payload or short code")
    v.add_argument("code", metavar="CODE", help="the QR payload or the short code (XXXX-XXXX-XXXX-XXXX)")
    v.add_argument("--center-db", metavar="URL", help="check at the center: its PostgreSQL URL or SQLite file")
    v.add_argument("--pg-schema", metavar="NAME",
                   help="with --center-db on PostgreSQL: the center's schema (default: $OUTREACH_CENTER_PG_SCHEMA)")
    v.add_argument("--offline", action="store_true",
                   help="只在本机核验，不联网问中心 / check on this laptop only, without asking the center")
    common(v)
    v.set_defaults(func=_cmd_verify)
