"""The parts of issue 14 the first export tests left open (see docs/issue14-audit.md): the event-kind and
sub-area filters, the reveal audit's who/which field/whom/when, a conflicting answer, every watched deadline
kind, no photo or card number in any file, and nothing unmasked written to disk in the clear (temp files
included) by a full export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

import msoffcrypto
import openpyxl

from outreach.exports import ExportFilter, ExportRequest, run_export
from outreach.exports.filters import op_day
from outreach.exports.labels import ANSWER_ZH, DEADLINE_ZH
from outreach.exports.vault_source import VaultSource
from tests.exports.conftest import TODAY
from tests.support.people import card_dump, citizen_id, person_payload


def _export(vault: Any, out: Path, **kw: Any) -> Any:
    src = VaultSource(vault, today=TODAY)
    return run_export(src, src.authorise(ExportRequest(today=TODAY, **kw)), out)


def _csv(res: Any, dataset: str) -> list[dict[str, str]]:
    (path,) = res.folder.glob(f"*-{dataset}.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_event_kind_and_sub_area_filters(sup_vault, out_dir):
    vault, data = sup_vault
    res = _export(vault, out_dir, datasets=("operations",), formats=("csv",),
                  filter=ExportFilter(kinds=("card.apply",)))
    assert res.rows == {"operations": 2}
    res = _export(vault, out_dir, datasets=("operations",), formats=("csv",),
                  filter=ExportFilter(kinds=("card.deliver",)))
    assert res.rows == {"operations": 0}
    # a region under one's own area: 460106 only (one person of the three in 4601)
    res = _export(vault, out_dir, datasets=("visits", "operations"), formats=("csv",),
                  filter=ExportFilter(area="460106"))
    assert res.rows == {"visits": 1, "operations": 1}
    assert {r["人员编号"] for r in _csv(res, "visits")} == {data["people"][0]["person_id"]}
    assert res.files[0]["rows"] == 1


def test_reveals_say_who_unmasked_which_field_of_whom_and_when(sup_vault, out_dir):
    vault, data = sup_vault
    res = _export(vault, out_dir, datasets=("reveals",), formats=("csv",))
    (row,) = _csv(res, "reveals")
    wang = data["people"][0]
    assert row["工作人员"] == "sup-1"
    assert row["人员编号"] == wang["person_id"]
    assert row["姓名"] == "王**"  # whom, masked
    assert row["查看字段"] == "证件号码"
    assert row["界面"] == "person"
    (reveal,) = [op for op in vault.operations() if op.kind == "audit.reveal"]
    assert row["操作编号"] == reveal.op_id
    assert row["日期"] == op_day(reveal.hlc).isoformat()  # when, in China time
    assert row["时间"].count(":") >= 1


def test_a_conflicting_answer_and_every_watched_deadline_kind(sup_vault, out_dir):
    vault, data = sup_vault
    p = data["people"][1]
    op = vault.append("card.deliver", p["person_id"], {"event": {"kind": "card.deliver", "card_id": "c-x"},
                                                       "cards": None, "fee": None})
    vault.record_push_results([{"op_id": op.op_id, "status": "applied_with_conflict", "code": "conflict"}])
    # bank account closure 180 days after a cancellation (Art. 27) and a card expiring (Art. 6), both coming
    closing = card_dump(p["person_id"], "cancelled", cancelled_on="2026-06-10")
    expiring = card_dump(data["people"][2]["person_id"], "active", expires_on="2026-12-20")
    vault.apply_pulled([{"type": "cards", "id": p["person_id"], "version": 5, "data": {"cards": [closing]}},
                        {"type": "cards", "id": data["people"][2]["person_id"], "version": 5,
                         "data": {"cards": [expiring]}}], "9")
    res = _export(vault, out_dir, datasets=("operations", "deadlines"), formats=("csv",))
    answers = {r["操作编号"]: r["中心答复"] for r in _csv(res, "operations")}
    assert answers[op.op_id] == ANSWER_ZH["applied_with_conflict"]
    kinds = {r["期限"] for r in _csv(res, "deadlines")}
    assert {DEADLINE_ZH["bank_account_closure"], DEADLINE_ZH["expiry"], DEADLINE_ZH["issue"]} <= kinds
    closure = next(r for r in _csv(res, "deadlines") if r["期限"] == DEADLINE_ZH["bank_account_closure"])
    assert closure["到期日"] == "2026-12-07"
    assert closure["条款"] == "第27条"


def test_no_photo_reference_or_card_number_in_any_file(sup_vault, out_dir):
    vault, data = sup_vault
    secret_photo, card_number = "photo-ref-7f3a9c", "H46999888"
    person = person_payload(name="吴海燕", number=citizen_id("460106", dt.date(1960, 2, 2), 7, True),
                            mobile="13600007777", area_code="460106", photo_ref=secret_photo)
    vault.append("person.register", person["person_id"], {"person": person})
    card = card_dump(person["person_id"], "active", number=card_number)
    vault.append("card.apply", person["person_id"], {"event": {"kind": "card.apply", "card_id": card["card_id"]},
                                                     "cards": {"person_id": person["person_id"], "cards": [card],
                                                               "version": 1}, "fee": None})
    res = _export(vault, out_dir, datasets=("visits", "operations", "deadlines", "reveals"),
                  formats=("csv", "xlsx", "jsonl"))
    full = _export(vault, out_dir, datasets=("visits", "operations", "deadlines", "reveals"), formats=("xlsx",),
                   masked=False, purpose="核查")
    office = msoffcrypto.OfficeFile(io.BytesIO(next(full.folder.glob("*.xlsx")).read_bytes()))
    office.load_key(password=full.password)
    plain = io.BytesIO()
    office.decrypt(plain)
    book = openpyxl.load_workbook(plain)
    unmasked = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None}
    assert person["document"]["number"] in unmasked  # the full export is unmasked ...
    assert secret_photo not in " ".join(unmasked)  # ... and still carries no photo
    assert card_number not in " ".join(unmasked)
    for path in res.folder.iterdir():
        if path.suffix == ".xlsx":
            text = " ".join(str(c.value) for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows()
                            for c in row if c.value is not None)
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert secret_photo not in text, path.name
        assert card_number not in text, path.name
        assert person["document"]["number"] not in text, path.name


def test_a_full_export_writes_nothing_unmasked_in_the_clear_temp_files_included(sup_vault, out_dir, tmp_path,
                                                                              monkeypatch):
    vault, data = sup_vault
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # any temp file lands here, where it can be seen
    written: list[str] = []
    watching = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if watching[0] and event == "open" and isinstance(args[0], (str, Path)):
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if any(m in mode for m in "wax+") or flags & 0o3:
                written.append(str(args[0]))

    sys.addaudithook(hook)  # every file opened for writing during the export (hooks cannot be removed)
    try:
        res = _export(vault, out_dir, datasets=("visits", "operations", "reveals"), formats=("xlsx",),
                      masked=False, purpose="区人社局核查")
    finally:
        watching[0] = False
    names = {Path(p).name for p in written if not p.endswith((".db", "-journal", "-wal", "-shm", ".json"))}
    assert names == {next(res.folder.glob("*.xlsx")).name}, written  # only the encrypted workbook
    assert any(p.endswith("manifest.json") for p in written)  # the hook does see every write
    assert list(scratch.iterdir()) == []
    numbers = [p["document"]["number"].encode() for p in data["people"]]
    for path in [*res.folder.iterdir(), *(Path(p) for p in written if Path(p).exists())]:
        if path.is_file() and path.suffix in (".xlsx", ".json"):
            raw = path.read_bytes()
            assert not any(n in raw for n in numbers), path.name


def test_every_formula_lead_is_escaped_in_csv_and_xlsx(sup_vault, out_dir):
    from tests.exports.conftest import visit

    vault, data = sup_vault
    leads = ["=1+1", "+86 138", "-2 下次", "@SUM(A1)", "\t=cmd|x"]  # a tab hides a formula too
    for i, note in enumerate(leads):
        v = visit(data["people"][0]["person_id"], "sup-1", f"2026-10-{i + 1:02d}", notes=note)
        vault.append("visit.log", v["person_id"], {"visit": v})
    res = _export(vault, out_dir, datasets=("visits",), formats=("csv", "xlsx"))
    notes = {r["备注"] for r in _csv(res, "visits")}
    book = openpyxl.load_workbook(next(res.folder.glob("*.xlsx")))
    cells = {str(c.value) for row in book["走访记录"].iter_rows(min_row=2) for c in row if c.value is not None}
    for note in leads:
        assert "'" + note in notes, note
        assert "'" + note in cells, note
        assert note not in notes
