"""``outreach session list|plan|import|prepare|walk-in|record|progress|close|report``: employer bulk activation
days from the command line (Art. 15 para. 2), the same service the app's screens use.

A session is named by its id or a unique start of it (8 characters are usually enough). ``import`` shows
the preview and writes nothing without ``--yes``. Errors are one line in Chinese then English.
Exit codes: 0 done, 1 refused (bad input, a rule, nothing written), 2 usage, 3 a header needs ``--map``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from outreach.cli.secrets import add_passphrase_options, read_passphrase

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_ASK = 0, 1, 2, 3
_NEED_ZH = {"activation": "待激活", "hand_over": "先发卡", "application": "代为申领", "blocked": "无法办理",
            "done": "已办理", "unknown": "未知"}


def _err(zh: str, en: str) -> None:
    print(f"{zh} / {en}", file=sys.stderr)


@contextmanager
def _context(args: argparse.Namespace) -> Iterator[Any]:
    from outreach.services.context import build_context

    ctx = build_context(vault=args.vault_path)
    try:
        ctx.session.unlock(read_passphrase(args))
        yield ctx
    finally:
        ctx.close()


def _resolve(ctx: Any, text: str) -> str:
    from outreach.services.bulkdays import BulkDayError

    ids = [d.plan.session_id for d in ctx.bulkdays.sessions() if d.plan.session_id.startswith(text.strip())]
    if len(ids) != 1:
        raise BulkDayError("找不到该场次（或编号开头对应多个场次）", "no such session (or the id start matches several)")
    return str(ids[0])


def _run(args: argparse.Namespace, action: Any) -> int:
    from outreach.bulkdays.errors import RosterError, RosterHeaderError
    from outreach.services.bulkdays import BulkDayError
    from outreach.services.errors import ServiceError

    try:
        with _context(args) as ctx:
            return int(action(ctx, args))
    except RosterHeaderError as exc:
        _err(exc.message_zh, exc.message_en)
        if exc.unmapped:
            print("无法识别的列 / headers not recognised: " + "、".join(exc.unmapped), file=sys.stderr)
        _err("请用 --map 表头=字段 指明，例如 --map 号码=doc_number", "say which with --map HEADER=FIELD, "
             "e.g. --map 号码=doc_number (fields: name, doc_number, doc_type, mobile, department, ...)")
        return EXIT_ASK
    except (RosterError, BulkDayError) as exc:
        if isinstance(exc, BulkDayError):
            _err(exc.zh, exc.en)
        else:
            _err(exc.message_zh, exc.message_en)
        return EXIT_REFUSED
    except ServiceError as exc:
        from outreach.cli.receipt_cmd import _say_error

        _say_error(exc)
        return EXIT_REFUSED


def _cmd_list(ctx: Any, args: argparse.Namespace) -> int:
    for day in ctx.bulkdays.sessions():
        size = len(day.roster.entries) if day.roster else 0
        state = "已结束 closed" if day.close else ("已取消 cancelled" if day.plan.cancelled else "进行中 open")
        print(f"{day.plan.session_id}\t{day.plan.day}\t{day.plan.employer.name}\t{size}人 people\t{state}")
    return EXIT_OK


def _cmd_hosted(ctx: Any, args: argparse.Namespace) -> int:
    hosted = ctx.bulkdays.hosted()
    if args.json:
        print(json.dumps([{"session_id": h.session_id, "employer": h.employer, "day": h.day, "venue": h.venue,
                           "roster": list(h.roster), "progress": h.progress, "close": h.close} for h in hosted],
                         ensure_ascii=False))
        return EXIT_OK
    for h in hosted:
        p = h.progress
        print(f"{h.session_id}\t{h.day}\t{h.employer}\t名单 roster {p.get('roster', len(h.roster))} · 已办 done "
              f"{p.get('done', 0)} · 未办 remaining {p.get('remaining', 0)} · 例外 exceptions {p.get('exceptions', 0)}")
        for line in h.roster:
            print(f"  {line.get('name') or ''}\t{line.get('doc_number') or ''}\t{line.get('mobile') or ''}\t"
                  f"{line.get('department') or ''}")
        if h.close is not None:
            agrees = "一致 agrees" if h.close.get("manifest_agrees") else "不一致 differs"
            print(f"  已结束 closed {h.close.get('closed_on', '')} · 清单 manifest {agrees}")
            for line in h.close.get("lines", ()):
                if line.get("outcome") in ("absent", "exception"):
                    print(f"  跟进 follow-up\t{line.get('name') or ''}\t{line.get('doc_number') or ''}\t"
                          f"{line.get('outcome')}\t{line.get('reason') or ''}")
    return EXIT_OK


def _cmd_plan(ctx: Any, args: argparse.Namespace) -> int:
    from outreach.services.bulkdays import BulkDayError

    try:
        day = dt.date.fromisoformat(args.day)
    except ValueError:
        raise BulkDayError("日期格式应为 YYYY-MM-DD", "the day must be YYYY-MM-DD") from None
    session_id = _resolve(ctx, args.session) if args.session else None
    plan = ctx.bulkdays.plan(employer=args.employer, credit_code=args.credit_code, venue=args.venue, day=day,
                             workers=args.worker, bank_branch=args.bank_branch, note=args.note or "",
                             session_id=session_id)
    print(plan.session_id)
    return EXIT_OK


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    from outreach.bulkdays.headers import ALIASES
    from outreach.services.bulkdays import BulkDayError

    out: dict[str, str] = {}
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or (field and field not in ALIASES):
            raise BulkDayError(f"--map 应为 表头=字段（字段：{'、'.join(ALIASES)}，或留空表示忽略）",
                               f"--map takes HEADER=FIELD (fields: {', '.join(ALIASES)}; empty to ignore)")
        out[header] = field
    return out


def _cmd_import(ctx: Any, args: argparse.Namespace) -> int:
    sid = _resolve(ctx, args.session)
    preview = ctx.bulkdays.preview_roster(sid, Path(args.file), _mapping(args.map))
    if args.json:
        print(json.dumps({"counts": preview.counts, "refused": [
            {"row": r.row, "reason_zh": r.reason_zh, "reason_en": r.reason_en} for r in preview.refused],
            "unmapped": list(preview.header.unmapped), "confirmed": bool(args.yes)}, ensure_ascii=False))
    else:
        zh, en = preview.summary()
        print(f"{zh} / {en}")
        for r in preview.refused:
            print(f"  第{r.row}行 row {r.row}: {r.reason_zh} / {r.reason_en}")
        if preview.header.unmapped:
            print("未使用的列 / columns not used: " + "、".join(preview.header.unmapped))
    if not args.yes:
        if not args.json:
            print("未导入：确认无误后加 --yes 重新执行 / nothing imported: run again with --yes to confirm")
        return EXIT_OK
    roster = ctx.bulkdays.confirm_roster(sid, preview)
    if not args.json:
        print(f"已导入名单第{roster.revision}版，共{len(roster.entries)}人 / roster revision {roster.revision} "
              f"imported, {len(roster.entries)} people")
    return EXIT_OK


def _cmd_prepare(ctx: Any, args: argparse.Namespace) -> int:
    if args.sync:  # the roster's people and card statuses from the center, before going offline
        summary = ctx.sync.run()
        if summary.error_key:
            from outreach.i18n import CATALOGUES

            key = summary.error_key
            _err(CATALOGUES["zh_CN"].get(key, key) + "（按上次同步的状态列出）",
                 CATALOGUES["en"].get(key, key) + " (listed as of the last sync)")
        else:
            print(f"已同步：收到{summary.pulled}项 / synced: {summary.pulled} changes pulled", file=sys.stderr)
    lines = ctx.bulkdays.prepare(_resolve(ctx, args.session), Path(args.photos) if args.photos else None)
    if args.json:
        print(json.dumps([{"person_id": x.person_id, "id": x.masked_id, "need": x.need, "detail_zh": x.detail[0],
                           "detail_en": x.detail[1], "photo": str(x.photo) if x.photo else None} for x in lines],
                         ensure_ascii=False))
        return EXIT_OK
    for x in lines:
        print(f"{x.masked_id}\t{x.name}\t{x.department}\t{_NEED_ZH.get(x.need, x.need)} {x.need}\t"
              f"{x.detail[0]} / {x.detail[1]}")
    return EXIT_OK


def _cmd_walk_in(ctx: Any, args: argparse.Namespace) -> int:
    cells = {"name": args.name, "doc_number": args.number, "doc_type": args.doc_type or "",
             "mobile": args.mobile or "", "department": args.department or ""}
    person_id = ctx.bulkdays.add_walk_in(_resolve(ctx, args.session), cells)
    print(person_id)
    return EXIT_OK


def _read_card(ctx: Any) -> Any:
    from outreach.services.bulkdays import BulkDayError, TableCard

    reader = ctx.reader.backend
    if reader is None:
        raise BulkDayError("没有读卡器", "no card reader")
    try:
        data = reader.read_card(bank=False)
    except Exception as exc:  # the hardware layer's errors carry their own words
        zh = getattr(exc, "message_zh", "读卡失败，请重新插卡")
        en = getattr(exc, "message_en", "the card could not be read; insert it again")
        raise BulkDayError(zh, en) from None
    return TableCard(ssn=data.ssn, card_number=data.card_number, expires_on=data.expiry_date)


def _cmd_record(ctx: Any, args: argparse.Namespace) -> int:
    sid = _resolve(ctx, args.session)
    if args.card:
        line = ctx.bulkdays.open_line(sid, card=_read_card(ctx))
    elif args.digits:
        line = ctx.bulkdays.open_line(sid, digits=args.digits)
    else:
        line = ctx.bulkdays.open_line(sid, person_id=args.person)
    print(f"{line.masked_id}\t{line.name}\t{line.department}\t{_NEED_ZH.get(line.need, line.need)} {line.need}")
    if line.blocked and args.action != "bank_declined":
        _err(*line.blocked)
        return EXIT_REFUSED
    result = ctx.bulkdays.record(sid, line.person_id, args.action, args.reason or "",
                                 Path(args.photo) if args.photo else None)
    if result.op_id is None:
        _err(*result.message)
        return EXIT_OK if result.already else EXIT_REFUSED
    print(f"{result.message[0]} / {result.message[1]}: {result.op_id}")
    return EXIT_OK


def _cmd_progress(ctx: Any, args: argparse.Namespace) -> int:
    p = ctx.bulkdays.progress(_resolve(ctx, args.session))
    if args.json:
        print(json.dumps({"roster": p.roster, "done": p.done, "remaining": p.remaining, "exceptions": p.exceptions,
                          "per_hour": p.per_hour, "counts": p.counts,
                          "exception_list": [{"id": e.masked_id, "reason": e.reason} for e in p.exception_list]},
                         ensure_ascii=False))
        return EXIT_OK
    print(f"名单 roster {p.roster} · 已办 done {p.done} · 未办 remaining {p.remaining} · 例外 exceptions "
          f"{p.exceptions} · 每小时 per hour {p.per_hour}")
    for e in p.exception_list:
        print(f"  {e.masked_id}\t{e.name}\t{e.reason}\t{e.next_step[0]} / {e.next_step[1]}")
    return EXIT_OK


def _cmd_close(ctx: Any, args: argparse.Namespace) -> int:
    manifest = ctx.bulkdays.close(_resolve(ctx, args.session))
    counts = manifest.counts()
    print(f"已结束：名单{len(manifest.lines)}人 = 已激活{counts['activated']} + 已发卡{counts['handed_over']} + "
          f"已申领{counts['applied']} + 未到{counts['absent']} + 例外{counts['exception']}；"
          f"清单含{len(manifest.operations)}项操作 / closed: {len(manifest.lines)} on the roster, "
          f"{len(manifest.operations)} operations in the manifest")
    return EXIT_OK


def _cmd_report(ctx: Any, args: argparse.Namespace) -> int:
    from outreach.bulkdays.report import write_pdf, write_xlsx
    from outreach.services.bulkdays import BulkDayError

    if not args.pdf and not args.xlsx:
        raise BulkDayError("请给出 --pdf 或 --xlsx 文件", "give --pdf and/or --xlsx")
    report = ctx.bulkdays.report(_resolve(ctx, args.session))
    for path, write in ((args.pdf, write_pdf), (args.xlsx, write_xlsx)):
        if path:
            print(f"已保存 / saved: {write(report, Path(path))}")
    return EXIT_OK


def register(sub: Any) -> None:
    parser = sub.add_parser("session", help="单位集中激活活动 / employer bulk activation days")
    ssub = parser.add_subparsers(dest="session_command", metavar="ACTION", required=True)

    def add(name: str, text: str, action: Any, *, session: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = ssub.add_parser(name, help=text)
        if session:
            p.add_argument("session", metavar="SESSION", help="场次编号（或其开头） / session id (or its start)")
        p.add_argument("--vault", dest="vault_path", metavar="PATH", help="vault file (default: data folder)")
        add_passphrase_options(p)
        p.set_defaults(func=lambda a: _run(a, action))
        return p

    add("list", "列出场次 / list sessions", _cmd_list, session=False)
    p = add("hosted", "中心发布的本单位场次（只读） / the employer's sessions from the center (read-only)", _cmd_hosted,
            session=False)
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p = add("plan", "安排场次 / plan a session", _cmd_plan, session=False)
    p.add_argument("--employer", required=True, help="单位名称 / employer name")
    p.add_argument("--credit-code", required=True, help="统一社会信用代码 / unified social credit code")
    p.add_argument("--venue", required=True, help="地点 / venue")
    p.add_argument("--day", required=True, help="日期 YYYY-MM-DD / day")
    p.add_argument("--worker", action="append", required=True, help="经办人员（可多次） / operating worker")
    p.add_argument("--bank-branch", required=True, help="合作银行网点 / bank branch")
    p.add_argument("--note", help="备注 / note")
    p.add_argument("--session", help="修改已有场次 / change this session's plan")
    p = add("import", "导入名单（预览；--yes 确认） / import the roster (preview; --yes confirms)", _cmd_import)
    p.add_argument("file", metavar="FILE", help="XLSX, XLS or CSV")
    p.add_argument("--map", action="append", metavar="HEADER=FIELD", help="指明表头对应的字段 / map a header")
    p.add_argument("--yes", action="store_true", help="确认导入 / confirm the import")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p = add("prepare", "每人今日所需 / what each person needs today", _cmd_prepare)
    p.add_argument("--photos", metavar="DIR", help="照片文件夹（按证件号码命名） / photos named by identity number")
    p.add_argument("--sync", action="store_true", help="先与中心同步 / sync with the center first")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p = add("walk-in", "现场添加 / add a walk-in", _cmd_walk_in)
    p.add_argument("--name", required=True)
    p.add_argument("--number", required=True, help="证件号码 / document number")
    p.add_argument("--doc-type", help="证件类型 / document type")
    p.add_argument("--mobile")
    p.add_argument("--department")
    p = add("record", "记录办理结果 / record the outcome", _cmd_record)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--card", action="store_true", help="读卡识别 / identify by reading the card")
    who.add_argument("--digits", help="证件号码后几位 / last digits of the identity number")
    who.add_argument("--person", help="人员编号 / person id")
    p.add_argument("--action", required=True, choices=["bank_done", "bank_declined", "hand_over", "apply"],
                   help="银行已激活 / 银行未激活 / 发卡 / 代为申领 (Art. 9)")
    p.add_argument("--photo", metavar="PATH", help="代为申领的相片 / the applicant's photo (JPEG or PNG)")
    p.add_argument("--reason", help="银行未激活的原因 / why the bank declined")
    p = add("progress", "进度 / progress", _cmd_progress)
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    add("close", "结束场次并核对 / close and reconcile", _cmd_close)
    p = add("report", "结束报告 / close report", _cmd_report)
    p.add_argument("--pdf", metavar="PATH")
    p.add_argument("--xlsx", metavar="PATH")
