"""``outreach vault init|check|passwd|salvage``, ``outreach log verify`` and ``outreach demo seed``.

Passphrases come only from ``--passphrase-file`` / ``--passphrase-fd`` or a prompt (never an argument);
the new one for ``passwd`` from ``--new-passphrase-file`` / ``--new-passphrase-fd`` or a prompt.
``vault check`` and ``log verify`` open the vault read-only (they work on read-only media) and check every
page; ``vault salvage`` copies every operation that still verifies out of a damaged vault into a fresh one
(same passphrase unless a new one is given) and, with ``--usb``, writes them as a transfer file too.
Exit codes: 0 fine, 1 the vault refused (wrong passphrase, damaged, log tampered, operations lost ...),
2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from outreach import locations
from outreach.cli.secrets import add_passphrase_options, read_new_passphrase, read_passphrase


def _vault_path(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "vault_path", None) or getattr(args, "vault", None)
    return Path(chosen) if chosen else locations.default_vault_path()


def _add_vault_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vault", dest="vault_path", metavar="PATH", help="vault file (default: data folder)")


def _fail(exc: BaseException) -> int:
    print(str(exc), file=sys.stderr)
    report = getattr(exc, "report", None)  # DamagedVaultError: what is damaged, what can be saved
    for line in report.lines() if report is not None else []:
        print(line, file=sys.stderr)
    return 1


def _guessable(passphrase: str, worker_id: str | None) -> bool:
    """Refuse (and say why, in both languages) a passphrase that is easy to guess; the same check as the app's
    first run (zxcvbn with the worker's context), never a length rule. The passphrase itself is never printed."""
    from outreach.i18n import CATALOGUES
    from outreach.services.security import MIN_STRENGTH, passphrase_strength

    if passphrase_strength(passphrase, [worker_id or ""]) >= MIN_STRENGTH:
        return False
    print(f"{CATALOGUES['zh_CN']['unlock.weak']} / {CATALOGUES['en']['unlock.weak']}", file=sys.stderr)
    return True


def _cmd_init(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    if path.exists():
        print(f"该位置已有文件 / a file already exists: {path}", file=sys.stderr)
        return 1
    passphrase = read_passphrase(args, "新口令 New passphrase: ", confirm=True)
    if not passphrase:
        print("口令不能为空 / the passphrase must not be empty", file=sys.stderr)
        return 2
    if _guessable(passphrase, args.worker):
        return 2
    try:
        with Vault.create(path, passphrase, worker_id=args.worker, device_id=args.device_id) as vault:
            print(f"已创建保险库 / vault created: {path}")
            print(f"设备 device: {vault.device_id}  工作人员 worker: {vault.worker_id}")
    except VaultError as exc:
        return _fail(exc)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    passphrase = read_passphrase(args)
    try:
        with Vault.open(path, passphrase, read_only=True) as vault:
            print(f"保险库 vault: {path}")
            print(f"设备 device: {vault.device_id}  工作人员 worker: {vault.worker_id}")
            report = vault.check_integrity(full=True)
            if not report.ok:
                for line in report.lines():
                    print(line, file=sys.stderr)
                return 1
            verdict = vault.verify_log()
            print(f"结构版本 migrations: {', '.join(vault.migrations())}")
            print(f"操作 operations: {verdict.checked}  待同步 pending: {vault.pending_count()}")
            if not verdict.ok:
                _print_bad(verdict)
                return 1
            print("未发现损坏 / no damaged pages")
            _print_intact(verdict)
    except VaultError as exc:
        return _fail(exc)
    return 0


def _print_intact(verdict: Any) -> None:
    print(f"日志完整，共 {verdict.checked} 条操作 / log intact, {verdict.checked} operations")
    if verdict.missing:
        print(f"（恢复时已丢失 {verdict.missing} 条操作 / {verdict.missing} operation(s) were lost in a salvage）")


def _cmd_passwd(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    old = read_passphrase(args, "当前口令 Current passphrase: ")
    try:
        vault = Vault.open(path, old)
    except VaultError as exc:
        return _fail(exc)
    try:
        new = read_new_passphrase(args)
        if not new:
            print("口令不能为空 / the passphrase must not be empty", file=sys.stderr)
            return 2
        if _guessable(new, vault.worker_id):
            return 2
        vault.change_passphrase(old, new)
        print("口令已更改 / passphrase changed")
    except VaultError as exc:
        return _fail(exc)
    finally:
        vault.close()
    return 0


def _print_bad(verdict: Any) -> None:
    print(
        f"日志被改动：第一个有问题的操作 seq={verdict.first_bad_seq} op_id={verdict.first_bad_op_id}\n"
        f"log tampered: first bad operation seq={verdict.first_bad_seq} op_id={verdict.first_bad_op_id}: "
        f"{verdict.problem}",
        file=sys.stderr,
    )


def _cmd_log_verify(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    passphrase = read_passphrase(args)
    try:
        with Vault.open(path, passphrase, read_only=True) as vault:
            if vault.damage is not None:
                return _damaged(vault.damage)
            verdict = vault.verify_log()
    except VaultError as exc:
        return _fail(exc)
    if not verdict.ok:
        _print_bad(verdict)
        return 1
    _print_intact(verdict)
    return 0


def _damaged(report: Any) -> int:
    for line in report.lines():
        print(line, file=sys.stderr)
    return 1


def _cmd_salvage(args: argparse.Namespace) -> int:
    from storage import FirstPageDamagedError, Vault, VaultError

    path, target = _vault_path(args), Path(args.out)
    usb = Path(args.usb) if args.usb else None
    for wanted in (target, *([usb] if usb else [])):
        if wanted.exists():
            print(f"该位置已有文件，不会覆盖 / a file already exists, it will not be overwritten: {wanted}",
                  file=sys.stderr)
            return 2
    if usb is not None and not usb.parent.is_dir():
        print(f"文件夹不存在 / no such folder: {usb.parent}", file=sys.stderr)
        return 2
    passphrase = read_passphrase(args)
    new = read_new_passphrase(args) if args.new_passphrase_file or args.new_passphrase_fd is not None else passphrase
    try:
        try:
            with Vault.open(path, passphrase, read_only=True) as vault:
                found = vault.salvage(target, new)
        except FirstPageDamagedError as exc:
            print(f"{exc}\n正在修复第 1 页的副本 / repairing a copy of the first page", file=sys.stderr)
            found = Vault.salvage_first_page(path, passphrase, target, new)
    except VaultError as exc:
        return _fail(exc)
    recovered, lost = len(found.operations), len(found.lost)
    print(f"已恢复 {recovered} 条操作到新保险库 / recovered {recovered} operation(s) into a fresh vault: {target}")
    if found.attachments or found.attachments_lost:
        print(f"照片 photos: 恢复 recovered {len(found.attachments)}, 丢失 lost {found.attachments_lost}")
    if lost:
        shown = ", ".join(str(s) for s in found.lost[:20]) + (" ..." if lost > 20 else "")
        print(f"无法恢复 {lost} 条操作（seq {shown}） / {lost} operation(s) could not be recovered (seq {shown})",
              file=sys.stderr)
    if usb is not None:
        code = _export_usb(target, new, usb)
        if code:
            return code
    return 1 if lost or found.attachments_lost else 0


def _export_usb(target: Path, passphrase: str, usb: Path) -> int:
    from storage import Vault, VaultError
    from sync import transfer
    from sync.errors import SyncError

    try:
        with Vault.open(target, passphrase) as fresh:
            data, n = transfer.export_file(fresh)
            pending = fresh.pending_count()
    except (SyncError, VaultError) as exc:
        print(exc.text() if isinstance(exc, SyncError) else str(exc), file=sys.stderr)
        return 1
    tmp = usb.with_name(usb.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(usb)
    except OSError as exc:
        print(f"无法写入 / cannot write {usb}: {exc.strerror}", file=sys.stderr)
        return 1
    more = (f"；其余 {pending - n} 条在导入回执后再导出 / the other {pending - n} after the reply is imported"
            if pending > n else "")
    print(f"已写入传输文件（{n} 条操作）/ transfer file written ({n} operations): {usb}{more}")
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from outreach.services.seed import seed_people
    from storage import Vault, VaultError

    path = _vault_path(args)
    if args.people < 0:
        print("人数不能为负 / --people must not be negative", file=sys.stderr)
        return 2
    try:
        if path.exists():
            vault = Vault.open(path, read_passphrase(args))
        else:
            vault = Vault.create(path, read_passphrase(args, "新口令 New passphrase: ", confirm=True),
                                 worker_id=args.worker)
    except VaultError as exc:
        return _fail(exc)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        report = seed_people(vault, args.people, seed=args.seed, progress=progress)
    except VaultError as exc:
        return _fail(exc)
    finally:
        vault.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已生成 {report.people} 人，{report.operations} 条操作 / seeded {report.people} people, "
          f"{report.operations} operations, {report.planned_visits} planned visits")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``vault``, ``log`` and ``demo`` command groups to the root parser."""
    vault = subparsers.add_parser("vault", help="加密保险库 / the encrypted vault")
    vsub = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)

    init = vsub.add_parser("init", help="创建保险库 / create a vault")
    _add_vault_option(init)
    init.add_argument("--worker", required=True, metavar="NAME", help="worker id of this laptop's user")
    init.add_argument("--device-id", metavar="ID", help="device id (default: a new UUID)")
    add_passphrase_options(init)
    init.set_defaults(func=_cmd_init)

    check = vsub.add_parser("check", help="打开并检查 / open and check")
    _add_vault_option(check)
    add_passphrase_options(check)
    check.set_defaults(func=_cmd_check)

    passwd = vsub.add_parser("passwd", help="更改口令 / change the passphrase")
    _add_vault_option(passwd)
    add_passphrase_options(passwd)
    passwd.add_argument("--new-passphrase-file", metavar="PATH", help="read the new passphrase from this file")
    passwd.add_argument("--new-passphrase-fd", metavar="N", type=int, help="read the new passphrase from this fd")
    passwd.set_defaults(func=_cmd_passwd)

    log = subparsers.add_parser("log", help="操作日志 / the operation log")
    lsub = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    salvage = vsub.add_parser("salvage", help="从受损保险库导出可读内容 / save what a damaged vault still holds")
    _add_vault_option(salvage)
    salvage.add_argument("--out", required=True, metavar="NEW", help="the fresh vault to create")
    salvage.add_argument("--usb", metavar="FILE", help="also write the operations as a transfer file for the center")
    add_passphrase_options(salvage)
    salvage.add_argument("--new-passphrase-file", metavar="PATH", help="passphrase of the fresh vault (default: same)")
    salvage.add_argument("--new-passphrase-fd", metavar="N", type=int, help="passphrase of the fresh vault from fd")
    salvage.set_defaults(func=_cmd_salvage)

    verify = lsub.add_parser("verify", help="校验哈希链与签名 / verify the hash chain and signatures")
    _add_vault_option(verify)
    add_passphrase_options(verify)
    verify.set_defaults(func=_cmd_log_verify)

    demo = subparsers.add_parser("demo", help="演示数据 / demo data")
    dsub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    seed = dsub.add_parser("seed", help="生成虚构人员 / seed synthetic people")
    _add_vault_option(seed)
    seed.add_argument("--people", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=0, help="random seed (same seed, same people)")
    seed.add_argument("--worker", default="demo", metavar="NAME", help="worker id if the vault is created")
    add_passphrase_options(seed)
    seed.set_defaults(func=_cmd_seed)
