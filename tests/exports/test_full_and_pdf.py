"""A full export: supervisor + purpose, recorded as an ``audit.export`` operation, written only as an XLSX
encrypted with a password that msoffcrypto-tool needs; and the PDF report, whose Chinese pdftotext reads."""

from __future__ import annotations

import io
import shutil
import subprocess

import msoffcrypto
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from outreach.exports import BadExportRequest, ExportRequest, run_export
from outreach.exports.vault_source import VaultSource
from tests.exports.conftest import TODAY


def test_full_export_needs_a_purpose_and_only_xlsx():
    with pytest.raises(BadExportRequest):
        ExportRequest(masked=False, formats=("xlsx",))
    with pytest.raises(BadExportRequest):
        ExportRequest(masked=False, purpose="audit", formats=("csv",))


def test_full_export_is_recorded_and_encrypted(sup_vault, out_dir):
    vault, data = sup_vault
    src = VaultSource(vault, today=TODAY)
    req = src.authorise(ExportRequest(datasets=("visits",), formats=("xlsx",), masked=False,
                                      purpose="区人社局核查 district audit", today=TODAY))
    res = run_export(src, req, out_dir)
    assert res.password
    audits = [op for op in vault.operations() if op.kind == "audit.export"]
    assert len(audits) == 1
    assert audits[0].payload["export_id"] == res.export_id
    assert res.password not in str(audits[0].payload)
    assert audits[0] in vault.pending_operations(limit=1000)  # it goes to the center with the next sync
    path = res.folder / res.files[0]["name"]
    raw = path.read_bytes()
    assert data["people"][0]["document"]["number"].encode() not in raw
    office = msoffcrypto.OfficeFile(io.BytesIO(raw))
    assert office.is_encrypted()
    office.load_key(password="wrong-password")
    with pytest.raises(InvalidKeyError):
        office.decrypt(io.BytesIO())
    plain = io.BytesIO()
    office = msoffcrypto.OfficeFile(io.BytesIO(raw))
    office.load_key(password=res.password)
    office.decrypt(plain)
    book = openpyxl.load_workbook(plain)
    values = {c.value for row in book["走访记录"].iter_rows(min_row=2) for c in row}
    assert data["people"][0]["document"]["number"] in values
    assert "王小明" in values
    assert "'=HYPERLINK(\"http://x\")" in values  # unmasked names are still escaped
    assert sorted(p.name for p in res.folder.iterdir()) == sorted([path.name, "manifest.json"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (bootstrap SYS_PKGS) missing")
def test_pdf_report_gives_the_chinese_back(sup_vault, out_dir):
    vault, _ = sup_vault
    src = VaultSource(vault, today=TODAY)
    req = src.authorise(ExportRequest(datasets=("visits", "operations", "deadlines"), formats=("pdf",), today=TODAY))
    res = run_export(src, req, out_dir)
    pdf = res.folder / res.files[0]["name"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("社保卡上门服务报告", "走访结果", "每名工作人员每日走访数", "办理期限", res.export_id):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "OutreachCJK" in line or "WenQuanYi" in line or "Micro" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts  # the CJK font is embedded (subset)
