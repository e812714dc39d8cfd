"""``outreach center serve|enrol|revoke|status|import|load-people|assign|session|duplicates``: running and managing the center.

Every command builds :class:`sync.center.settings.CenterSettings` from its options over the ``OUTREACH_CENTER_*``
variables (an option given wins). ``--db`` takes a database address (:mod:`sync.center.factory`:
``postgresql://...``, ``sqlite:///abs/path``, ``sqlite:rel/path`` or a file path); default: the embedded SQLite
file under the center data folder. Exit codes: 0 fine, 1 refused / failed, 2 usage or a refused setting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outreach import locations

if TYPE_CHECKING:
    from sync.center.settings import CenterSettings
    from sync.center.sqlstore import SqlStore


def _settings(args: argparse.Namespace) -> CenterSettings:
    """The settings from the environment, with the options given on the command line over them."""
    from sync.center.settings import CenterSettings

    return CenterSettings.from_arguments(
        db=args.db, pg_schema=args.pg_schema, key_file=args.key_file,
        listen=getattr(args, "listen", None), enrol_code_hours=getattr(args, "ttl_hours", None),
        tls_cert=getattr(args, "tls_cert", None), tls_key=getattr(args, "tls_key", None),
        insecure_http=True if getattr(args, "insecure_http", False) else None)


def _store(args: argparse.Namespace) -> SqlStore:
    from sync.center.factory import open_store

    settings = _settings(args)
    return open_store(settings.db or locations.center_data_dir() / "center.db", schema=settings.pg_schema,
                      key_file=settings.key_file)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ttl_hours(text: str) -> int:
    """An enrolment code's lifetime: 1 to 720 hours (30 days); anything else is a usage error, never an
    overflow or a code that is already expired."""
    try:
        hours = int(text)
    except ValueError:
        hours = 0
    if not 1 <= hours <= 720:
        raise argparse.ArgumentTypeError("有效期应为 1–720 小时 / must be 1-720 hours")
    return hours


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.center.app import create_app

    settings = _settings(args)
    host, port = settings.host, settings.port
    from sync.center import tls

    cert = str(settings.tls_cert) if settings.tls_cert else None
    key = str(settings.tls_key) if settings.tls_key else None
    opts = tls.server_options(host, cert, key, settings.insecure_http)  # refused in words: guarded() prints it
    tls.raise_open_files()
    store = _store(args)
    store.center_keys()
    app = create_app(store)
    stop = threading.Event()

    def due_loop() -> None:  # time-driven deadlines from the center's own clock
        while not stop.wait(settings.due_every_minutes * 60):
            try:
                app.state.center.run_due(force=True)
            except Exception as exc:  # keep serving; report the kind of error only
                print(f"到期处理失败 / deadline pass failed: {type(exc).__name__}", file=sys.stderr)

    threading.Thread(target=due_loop, daemon=True).start()
    scheme = "https" if cert else "http"
    print(f"中心已启动 / center listening on {scheme}://{settings.listen}", file=sys.stderr)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, **opts)
    finally:
        stop.set()
        store.close()
    return 0


def _cmd_enrol(args: argparse.Namespace) -> int:
    from sync.errors import SyncError

    hours = _settings(args).enrol_code_hours
    store = _store(args)
    try:
        code = store.create_enrol_code(args.worker, args.role, args.area, dt.timedelta(hours=hours),
                                       employer=args.employer)
    except SyncError as exc:
        print(exc.text(), file=sys.stderr)
        return 1
    bound = f", {args.employer.strip().upper()}" if args.employer else ""
    print(f"一次性登记码 / one-time enrolment code ({args.worker}, {args.role}{bound}, {hours} h): {code}")
    return 0


def _cmd_session(args: argparse.Namespace) -> int:
    """``center session check <id>``: the session's close manifests against the operations the center holds
    (exit 0 when they agree, 1 when not or when the center has no such session)."""
    report = _store(args).session_check(args.session_id)
    if report is None:
        print(f"中心没有此场次 / the center has no such session: {args.session_id[:64]}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if report["agree"] else 1
    print(f"场次 session {report['session_id']}: 中心持有操作 operations held {report['held']}, "
          f"结束清单 close manifests {len(report['closes'])}")
    for c in report["closes"]:
        now = c["now"]
        verdict = "一致 agree" if now["agree"] else "不一致 DIFFER"
        print(f"  {c['op_id']}  设备 device {now['device_id']}  列出 listed {now['listed']}  {verdict}")
        for key, zh in (("missing_at_center", "中心缺少 missing at the center"),
                        ("hash_differs", "哈希不符 another hash"), ("not_in_manifest", "清单未列 not listed"),
                        ("from_other_devices", "其他设备的操作 from other devices")):
            if now[key]:
                print(f"    {zh}: {len(now[key])}: {' '.join(now[key][:20])}{' …' if len(now[key]) > 20 else ''}")
    if not report["closes"]:
        print("  尚无结束清单 / no close manifest yet")
    if report["not_in_any_manifest"]:
        print(f"  任何清单都未列出 not in any manifest: {len(report['not_in_any_manifest'])}: "
              + " ".join(report["not_in_any_manifest"][:20]))
    progress = report["progress"] or {}
    print("  进度 progress: " + ", ".join(f"{k} {progress[k]}" for k in
                                          ("roster", "activated", "handed_over", "applied", "remaining", "exceptions")
                                          if k in progress))
    print("结论 verdict: " + ("清单与中心一致 / the manifests agree with the center" if report["agree"]
                            else "清单与中心不一致 / the manifests do not agree with the center"))
    return 0 if report["agree"] else 1


def _cmd_revoke(args: argparse.Namespace) -> int:
    if _store(args).revoke(args.device, _now()):
        print(f"设备已吊销 / device revoked: {args.device}")
        return 0
    print(f"未知设备 / unknown device: {args.device}", file=sys.stderr)
    return 1


def _cmd_status(args: argparse.Namespace) -> int:
    st = _store(args).status()
    if args.json:
        print(json.dumps(st, ensure_ascii=False, indent=2))
        return 0
    print("设备 devices:")
    for d in st["devices"]:
        flag = " 已吊销 REVOKED" if d["revoked"] else ""
        print(f"  {d['device_id']}  {d['worker_id']} ({d['role']}, {d['area_code'] or '-'})  "
              f"操作 ops {d['operations']}  seq {d['last_seq']}{flag}")
    print(f"待处理冲突/拒绝 open conflicts/rejections: {len(st['open_conflicts'])}")
    for c in st["open_conflicts"]:
        print(f"  {c['op_id']}  {c['worker_id']}  {c['kind']}  {c['status']}  {c['code'] or ''}")
    cp = st["checkpoint"]
    print(f"签名检查点 signed checkpoint: size {cp['tree_size']} root {cp['root']} at {cp['issued_at']}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from sync import transfer
    from sync.center.rules import center_day
    from sync.errors import SyncError

    if not Path(args.reply).resolve().parent.is_dir():  # before anything is applied: the reply must not be lost
        print(f"回执文件夹不存在，未导入 / no such folder for the reply, nothing imported: {Path(args.reply).parent}",
              file=sys.stderr)
        return 2
    store = _store(args)
    try:
        data = Path(args.file).read_bytes()
        now = _now()
        reply = transfer.import_file(store, data, center_day(now), now)
    except (OSError, SyncError) as exc:
        print(exc.text() if isinstance(exc, SyncError) else f"无法读取 / cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    tmp = Path(args.reply + ".tmp")
    tmp.write_bytes(reply)
    tmp.replace(args.reply)
    statuses = json.loads(reply)["response"]["statuses"]
    names = {"a": "applied", "c": "applied_with_conflict", "d": "duplicate", "r": "rejected"}
    counts: dict[str, int] = {}
    for letter in statuses:
        counts[names[letter]] = counts.get(names[letter], 0) + 1
    print(f"已导入 / imported: {counts}; 回执 reply: {args.reply}")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    """Two passes over the file, neither holding it in memory: check every row (one bad row: nothing is
    loaded), then load in batches, each committed on its own, with progress on stderr. A rerun after an
    interruption skips the people already loaded."""
    from sync.center import roster
    from sync.center.rules import center_day
    from sync.center.store import LoadCount
    from sync.errors import SyncError

    today = center_day(_now())
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as f:
            problems = roster.problems(f, today)
            if problems:
                for p in problems:
                    print(p, file=sys.stderr)
                print(f"有 {len(problems)} 处问题，未导入任何记录 / {len(problems)} problem(s); nothing loaded",
                      file=sys.stderr)
                return 1
            f.seek(0)

            def progress(done: LoadCount) -> None:
                print(f"已处理 {done.loaded + done.skipped} 人（新导入 {done.loaded}） / processed "
                      f"{done.loaded + done.skipped} (loaded {done.loaded})", file=sys.stderr, flush=True)

            store = _store(args)
            try:
                n = store.load_people_stream(roster.stream(f, today), _now(), batch=args.batch, progress=progress)
            finally:
                store.close()
    except (OSError, UnicodeDecodeError):
        print("无法读取文件（需 UTF-8 CSV） / cannot read the file (UTF-8 CSV needed)", file=sys.stderr)
        return 1
    except roster.RosterChanged:
        print("文件在导入过程中被修改，请重新运行（已导入的不会重复） / the file changed during the load; run again "
              "(what is loaded is not loaded twice)", file=sys.stderr)
        return 1
    except SyncError as exc:
        print(exc.text(), file=sys.stderr)
        return 1
    print(f"已导入 {n.loaded} 人，跳过已导入的 {n.skipped} 人 / loaded {n.loaded} people, skipped {n.skipped} "
          "already loaded")
    return 0


def _cmd_assign(args: argparse.Namespace) -> int:
    from sync.errors import SyncError

    store = _store(args)
    ids = list(args.person or [])
    if args.area:
        ids += store.people_in_area(args.area)
    if not ids:
        print("请给出 --person 或 --area / give --person or --area", file=sys.stderr)
        return 2
    try:
        n = store.assign(args.worker, ids, _now())
    except SyncError as exc:
        print(exc.text(), file=sys.stderr)
        return 1
    print(f"已分配 {n} 人给 {args.worker} / assigned {n} people to {args.worker}")
    return 0


def _cmd_duplicates(args: argparse.Namespace) -> int:
    """``center duplicates``: every person the center holds more than once (issue 10: a load before which a
    laptop registered them, or two records of a database older than migration 0007), masked. Exit 0."""
    from sync.center import duplicates

    store = _store(args)
    try:
        groups = store.transaction(duplicates.find)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"groups": [g.as_json() for g in groups]}, ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("没有重复的人员记录 / none: no person is held twice")
        return 0
    print(f"重复的人员记录 {len(groups)} 组 / {len(groups)} group(s) of records of one person:")
    for n, g in enumerate(groups, 1):
        print(f"{n}. 证件号码或社会保障号码相同 / the same identity or social security number:")
        for r in g.records:
            if r.source == "registered":
                source = f"笔记本登记 registered by {r.worker_id} on device {r.device_id} at {r.registered_at}"
            else:
                source = "名单导入 loaded from the roster"
            holder = "  (持有号码 holds the number)" if r.person_id == g.key_holder else ""
            ss = f"  社保号 ssn {r.ss_number}" if r.ss_number else ""
            print(f"   {r.person_id}  {r.name}  {r.doc_type} {r.doc_number}{ss}  区域 area {r.area_code or '-'}  "
                  f"卡 card {r.card_status or '无 none'}  {source}{holder}")
    return 0


def _cmd_unlock(args: argparse.Namespace) -> int:
    if not (args.worker or args.source or args.all):
        print("请给出 --worker、--source 或 --all / give --worker, --source or --all", file=sys.stderr)
        return 2
    n = _store(args).clear_enrolment_holds(args.worker, args.source)
    who = args.worker or args.source or "all / 全部"
    print(f"已解除登记限制 / enrolment hold lifted: {who} ({n})")
    return 0


def register(subparsers: Any) -> None:
    center = subparsers.add_parser("center", help="同步中心 / the sync center")
    sub = center.add_subparsers(dest="center_command", metavar="ACTION", required=True)

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        def guarded(args: argparse.Namespace) -> int:
            from pydantic import ValidationError

            from sync.center.settings import explain
            from sync.errors import SyncError

            try:
                return int(func(args) or 0)
            except ValidationError as exc:  # a refused setting: which one and what it needs, never its value
                print(explain(exc), file=sys.stderr)
                return 2
            except SyncError as exc:  # a refused key file, an unreachable database: words, no traceback
                print(exc.text(), file=sys.stderr)
                return 1

        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        p.add_argument("--db", metavar="URL",
                       help="postgresql://..., sqlite:///abs/path, sqlite:rel/path or a SQLite file path "
                            "(default: $OUTREACH_CENTER_DB, else the embedded center's file)")
        p.add_argument("--pg-schema", metavar="NAME",
                       help="PostgreSQL: the schema holding the center's tables (default: $OUTREACH_CENTER_PG_SCHEMA, "
                            "else the search path)")
        p.add_argument("--key-file", metavar="PATH",
                       help="the center's private keys, mode 600, shared by its processes (default: "
                            "$OUTREACH_CENTER_KEY_FILE, else kept in the database)")
        p.set_defaults(func=guarded)
        return p

    p = add("serve", _cmd_serve, "运行中心 / run the center")
    p.add_argument("--listen", metavar="HOST:PORT", help="default: $OUTREACH_CENTER_LISTEN, else 127.0.0.1:8765")
    p.add_argument("--tls-cert", metavar="PEM", help="TLS certificate (default: $OUTREACH_CENTER_TLS_CERT)")
    p.add_argument("--tls-key", metavar="PEM", help="its private key (default: $OUTREACH_CENTER_TLS_KEY)")
    p.add_argument("--insecure-http", action="store_true",
                   help="plain HTTP on a non-loopback address (names and numbers readable on the wire; default: "
                        "$OUTREACH_CENTER_INSECURE_HTTP)")
    p = add("enrol", _cmd_enrol, "生成一次性登记码 / make a one-time enrolment code")
    p.add_argument("--worker", required=True)
    p.add_argument("--role", choices=["worker", "employer_host", "supervisor"], default="worker")
    p.add_argument("--area", metavar="CODE")
    p.add_argument("--employer", metavar="CREDIT_CODE",
                   help="employer_host only (and required): the employer's 统一社会信用代码 the host is bound to")
    p.add_argument("--ttl-hours", type=_ttl_hours, metavar="1-720",
                   help="how long the code is valid (default: $OUTREACH_CENTER_ENROL_CODE_HOURS, else 72)")
    p = add("unlock-enrolment", _cmd_unlock, "解除登记尝试限制 / lift an enrolment hold")
    p.add_argument("--worker", metavar="ID")
    p.add_argument("--source", metavar="ADDRESS")
    p.add_argument("--all", action="store_true")
    p = add("revoke", _cmd_revoke, "吊销设备 / revoke a device")
    p.add_argument("device")
    p = add("status", _cmd_status, "中心状态 / center status")
    p.add_argument("--json", action="store_true")
    p = add("import", _cmd_import, "导入离线传输文件 / import an offline transfer file")
    p.add_argument("file")
    p.add_argument("--reply", required=True, metavar="REPLY")
    p = add("load-people", _cmd_load, "导入人员名单 CSV / load people from CSV")
    p.add_argument("file")
    p.add_argument("--batch", type=int, default=5000, metavar="N",
                   help="每批人数（每批单独提交） / people per batch (each committed on its own)")
    p = add("session", _cmd_session, "单位集中激活场次 / employer bulk activation sessions")
    p.add_argument("action", choices=["check"], help="check: the close manifests against the center")
    p.add_argument("session_id")
    p.add_argument("--json", action="store_true")
    p = add("duplicates", _cmd_duplicates, "列出重复的人员记录 / list people held twice")
    p.add_argument("--json", action="store_true")
    p = add("assign", _cmd_assign, "分配走访计划 / assign people to a worker")
    p.add_argument("--worker", required=True)
    p.add_argument("--person", nargs="+", metavar="ID")
    p.add_argument("--area", metavar="CODE")
