"""``outreach export run|verify`` (laptop) and ``outreach center export`` (the center's store).

Exit codes: 0 fine; 1 refused, failed, or (verify) a file does not match its manifest; 2 usage; 130 cancelled.
A full export's password is printed once, here, and kept nowhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from outreach import locations
from outreach.cli.secrets import add_passphrase_options, read_passphrase

DATASET_CHOICES = ("visits", "operations", "deadlines", "reveals", "sessions")


def _date(text: str) -> dt.date:
    """Dates read as the forms read them (2018-05-06, 2018/5/6, 2018.5.6, 20180506: one normaliser, m6)."""
    from outreach.services.normalise import parse_date

    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(
            "日期格式应为 年-月-日，如 2018-05-06（也可写 2018/5/6、2018.5.6 或 20180506） / "
            "dates are year-month-day, e.g. 2018-05-06 (2018/5/6, 2018.5.6 or 20180506 also work)")
    return day


def _request(args: argparse.Namespace, since: dict[str, Any] | None) -> Any:
    from outreach.exports import ExportFilter, ExportRequest

    flt = ExportFilter(date_from=args.date_from, date_to=args.date_to, area=args.area, worker=args.worker,
                       outcome=args.outcome, kinds=tuple(args.kind or ()), horizon_days=args.horizon_days,
                       session=args.session)
    return ExportRequest(datasets=tuple(args.dataset or ("visits",)), formats=tuple(args.format or ("csv",)),
                         filter=flt, masked=not args.full, purpose=args.purpose or "", since=since)


def _progress(dataset: str, rows: int) -> None:
    print(f"\r{dataset}: {rows}", end="", file=sys.stderr, flush=True)


def _report(result: Any) -> None:
    print(file=sys.stderr)
    print(f"已导出 / exported: {result.folder}")
    for entry in result.files:
        print(f"  {entry['name']}  {entry['rows']} 行 rows")
    if result.password is not None:
        print(f"文件口令（只显示这一次，请另行告知收件人）/ file password (shown only once): {result.password}")


def _run(go: Any) -> int:
    from outreach.exports import ExportCancelled, ExportError
    from storage import VaultError
    from sync.errors import SyncError

    try:
        return int(go())
    except (ExportCancelled, KeyboardInterrupt):
        print("\n导出已取消，未留下文件 / export cancelled; no files were left", file=sys.stderr)
        return 130
    except ExportError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    except (VaultError, SyncError) as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"\n无法写入导出文件 / cannot write the export: {exc.strerror}", file=sys.stderr)
        return 1


def _cmd_run(args: argparse.Namespace) -> int:
    from outreach.exports import run_export
    from outreach.exports.vault_source import VaultSource
    from storage import Vault

    def go() -> int:
        path = Path(args.vault_path or getattr(args, "vault", None) or locations.default_vault_path())
        with Vault.open(path, read_passphrase(args)) as vault:
            source = VaultSource(vault)
            since = source.load_checkpoint() if args.since_last else None
            request = source.authorise(_request(args, since))
            result = run_export(source, request, Path(args.out), progress=_progress)
            source.save_checkpoint(result.checkpoint)
        _report(result)
        return 0

    return _run(go)


def _cmd_center_export(args: argparse.Namespace) -> int:
    from outreach.cli.center_cmd import _store
    from outreach.exports import BadExportRequest, run_export, verify_export
    from sync.center.export_source import CenterExportSource, authorise

    def go() -> int:
        from pydantic import ValidationError

        from sync.center.settings import explain

        try:
            store = _store(args)
        except ValidationError as exc:  # a refused setting: which one and what it needs, never its value
            print(explain(exc), file=sys.stderr)
            return 2
        try:
            device, area = authorise(store, args.device, args.area)
            source = CenterExportSource(store, device)
            since = None
            if args.since:
                previous = verify_export(args.since, [source.public_key])
                if previous["signer"]["kind"] != "center":
                    raise BadExportRequest("上次导出不是中心导出", "the previous export was not made at the center")
                since = dict(previous["checkpoint"])
            args.area = area
            result = run_export(source, _request(args, since), Path(args.out), progress=_progress)
        finally:
            store.close()
        _report(result)
        return 0

    return _run(go)


def _cmd_verify(args: argparse.Namespace) -> int:
    from outreach.exports import VerifyFailed, verify_export

    keys = []
    try:
        keys = [bytes.fromhex(k) for k in args.key or []]
    except ValueError:
        print("公钥应为十六进制 / a public key is hex", file=sys.stderr)
        return 2
    if args.vault_path:
        from storage import Vault, VaultError
        from sync.client.trust import META_SIGN_KEY

        try:
            with Vault.open(Path(args.vault_path), read_passphrase(args)) as vault:
                keys.append(vault.public_key)
                center = vault.get_meta(META_SIGN_KEY)
                if center:
                    keys.append(bytes.fromhex(center))
        except VaultError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    try:
        manifest = verify_export(Path(args.path), keys)
    except VerifyFailed as exc:
        for name, zh, en in exc.problems:
            print(f"{name}: {zh} / {en}", file=sys.stderr)
        return 1
    signer = manifest["signer"]
    print(f"校验通过 / verified: {manifest['export_id']}, {len(manifest['files'])} 个文件 files, "
          f"签名 signed by {signer['kind']} {signer['id']}")
    if not keys:
        print("注意：未指定可信公钥，只核对了清单自身的签名 / note: no trusted key given; only the manifest's own "
              "signature was checked", file=sys.stderr)
    if args.json:
        print(json.dumps({"export_id": manifest["export_id"], "rows": manifest["rows"]}, ensure_ascii=False))
    return 0


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="folder the export folder is made in")
    p.add_argument("--dataset", action="append", choices=DATASET_CHOICES, help="repeatable (default: visits)")
    p.add_argument("--format", action="append", choices=("csv", "xlsx", "jsonl", "pdf"), help="repeatable (default: csv)")
    p.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--area", metavar="CODE", help="region code prefix (default: your whole area)")
    p.add_argument("--worker", metavar="ID")
    p.add_argument("--outcome", choices=("done", "nobody_home", "refused", "come_back", "moved", "deceased"))
    p.add_argument("--kind", action="append", metavar="KIND", help="operation kind or prefix, e.g. card.apply")
    p.add_argument("--horizon-days", type=int, default=30, help="deadlines coming within this many days")
    p.add_argument("--session", metavar="ID", help="one bulk activation day: its reconciliation and card operations")


def register(subparsers: Any) -> None:
    e = subparsers.add_parser("export", help="主管导出 / supervisor exports")
    sub = e.add_subparsers(dest="export_command", metavar="ACTION", required=True)
    r = sub.add_parser("run", help="从本机保险库导出 / export from this laptop's vault")
    _filter_options(r)
    r.add_argument("--since-last", action="store_true", help="only what is new since the last export")
    r.add_argument("--full", action="store_true", help="unmasked, encrypted XLSX (needs --purpose); recorded")
    r.add_argument("--purpose", metavar="TEXT", help="why a full export is needed (recorded)")
    r.add_argument("--vault", dest="vault_path", metavar="PATH")
    add_passphrase_options(r)
    r.set_defaults(func=_cmd_run)
    v = sub.add_parser("verify", help="校验导出文件 / verify an export folder")
    v.add_argument("path")
    v.add_argument("--key", action="append", metavar="HEX", help="trusted signer public key (repeatable)")
    v.add_argument("--vault", dest="vault_path", metavar="PATH", help="trust this laptop's key and its center's")
    v.add_argument("--json", action="store_true")
    add_passphrase_options(v)
    v.set_defaults(func=_cmd_verify)

    center = subparsers.choices.get("center")
    if center is None:
        return
    actions = [a for a in center._actions if isinstance(a, argparse._SubParsersAction)]
    c = actions[0].add_parser("export", help="中心导出（市、省） / export from the center store")
    c.add_argument("--db", metavar="URL", help="postgresql://... or SQLite file (default: embedded)")
    c.add_argument("--pg-schema", metavar="NAME", help="PostgreSQL: the schema holding the center's tables "
                                                       "(default: $OUTREACH_CENTER_PG_SCHEMA, else the search path)")
    c.add_argument("--key-file", metavar="PATH", help="the center's private keys (see center serve)")
    c.add_argument("--device", required=True, metavar="ID", help="the supervisor's enrolled device (role, area)")
    c.add_argument("--since", metavar="DIR", help="a previous center export: export only what came after it")
    _filter_options(c)
    c.set_defaults(func=_cmd_center_export, full=False, purpose="")
