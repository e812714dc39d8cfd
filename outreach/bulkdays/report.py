"""The close report for the employer to stamp and keep: one data object (:class:`CloseReport`, names and
numbers already masked) written as a Chinese PDF (CJK font embedded, subset) and as an XLSX. Every text cell
of the workbook goes through :func:`outreach.exports.masking.safe_cell`, so a roster value starting with
``= + - @`` cannot become a formula."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.bulkdays.errors import RosterError
from outreach.domain.sessions import Outcome, SessionPlan
from outreach.exports.fonts import find_cjk_font
from outreach.exports.masking import safe_cell

OUTCOME_ZH: dict[str, str] = {"activated": "已激活", "handed_over": "已发卡", "applied": "已代为申领",
                              "absent": "未到场", "exception": "未完成（例外）"}
_FONT = "OutreachBulkCJK"


class ReportError(RosterError):
    """The report cannot be written (no CJK font for the PDF, target not writable)."""


@dataclass(frozen=True)
class ReportLine:
    name: str
    masked_id: str
    department: str
    outcome: Outcome
    reason: str
    walk_in: bool


@dataclass(frozen=True)
class CloseReport:
    """The close report's data: the plan, the counts, one masked line per roster person."""

    plan: SessionPlan
    counts: dict[str, int]
    roster_size: int
    lines: list[ReportLine]
    operations: int
    closed: bool

    @property
    def balanced(self) -> bool:
        """roster = activated + handed_over + applied + absent + exception."""
        return sum(self.counts.values()) == self.roster_size

    @property
    def absent(self) -> list[ReportLine]:
        return [line for line in self.lines if line.outcome == "absent"]

    @property
    def exceptions(self) -> list[ReportLine]:
        return [line for line in self.lines if line.outcome == "exception"]

    def header_rows(self) -> list[tuple[str, str]]:
        p = self.plan
        return [("单位名称", p.employer.name), ("统一社会信用代码", p.employer.credit_code), ("地点", p.venue),
                ("日期", p.day.isoformat()), ("合作银行网点", p.bank_branch), ("经办人员", "、".join(p.workers)),
                ("状态", "已结束" if self.closed else "进行中（未结束）")]

    def count_rows(self) -> list[tuple[str, int]]:
        return [("名单人数", self.roster_size)] + [(OUTCOME_ZH[k], self.counts.get(k, 0)) for k in OUTCOME_ZH]


def write_pdf(report: CloseReport, path: Path) -> Path:
    """The PDF (A4, Chinese).

    Raises:
        ReportError: no CJK font installed, or the file cannot be written.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        found = find_cjk_font()
        if found is None:
            raise ReportError("缺少中文字体（fonts-wqy-microhei），无法生成PDF报告",
                              "no CJK font (fonts-wqy-microhei) installed; cannot make the PDF report")
        pdfmetrics.registerFont(TTFont(_FONT, str(found[0]), subfontIndex=found[1]))
    normal = ParagraphStyle("n", fontName=_FONT, fontSize=9, leading=13)
    heading = ParagraphStyle("h", fontName=_FONT, fontSize=15, leading=20)
    sub = ParagraphStyle("s", fontName=_FONT, fontSize=11, leading=16)
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), _FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7"))])

    def table(rows: list[list[str]], widths: list[float]) -> Any:
        t = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(style)
        return t

    story: list[Any] = [Paragraph("社会保障卡集中激活活动报告", heading),
                        Paragraph("Employer bulk activation day: close report", normal), Spacer(1, 3 * mm),
                        table([["项目", "内容"], *[[k, v] for k, v in report.header_rows()]], [45, 125]),
                        Spacer(1, 4 * mm), Paragraph("办理情况", sub),
                        table([["类别", "人数"], *[[k, str(n)] for k, n in report.count_rows()]], [60, 30]),
                        Paragraph(("核对一致：名单人数 = 已激活 + 已发卡 + 已代为申领 + 未到场 + 未完成"
                                   if report.balanced else "核对不一致：请联系经办机构"), normal),
                        Spacer(1, 4 * mm), Paragraph(f"未到场人员（{len(report.absent)}人）", sub)]
    if report.absent:
        story.append(table([["姓名", "证件号码", "部门"],
                            *[[x.name, x.masked_id, x.department] for x in report.absent]], [35, 60, 75]))
    story += [Spacer(1, 4 * mm), Paragraph(f"未完成人员及原因（{len(report.exceptions)}人）", sub)]
    if report.exceptions:
        story.append(table([["姓名", "证件号码", "部门", "原因"],
                            *[[x.name, x.masked_id, x.department, x.reason] for x in report.exceptions]],
                           [25, 45, 40, 60]))
    story += [Spacer(1, 10 * mm), Paragraph("单位（盖章）：____________　　经办人签字：____________　　"
                                            "日期：____________", normal)]
    try:
        doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                topMargin=15 * mm, bottomMargin=15 * mm, title="社会保障卡集中激活活动报告",
                                author="outreach", invariant=True)
        doc.build(story)
    except OSError:
        raise ReportError("无法写入报告文件", "cannot write the report file") from None
    return path


def write_xlsx(report: CloseReport, path: Path) -> Path:
    """The workbook: 汇总 (plan and counts) and 名单明细 (one masked line per person).

    Raises:
        ReportError: the file cannot be written.
    """
    import xlsxwriter

    try:
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        summary = book.add_worksheet("汇总")
        r = 0
        for k, v in report.header_rows():
            summary.write_string(r, 0, safe_cell(k), head)
            summary.write_string(r, 1, safe_cell(v))
            r += 1
        r += 1
        for k, n in report.count_rows():
            summary.write_string(r, 0, safe_cell(k), head)
            summary.write_number(r, 1, n)
            r += 1
        summary.write_string(r + 1, 0, "核对一致" if report.balanced else "核对不一致")
        summary.set_column(0, 0, 20)
        summary.set_column(1, 1, 40)
        detail = book.add_worksheet("名单明细")
        for c, h in enumerate(("姓名", "证件号码", "部门", "办理结果", "原因", "现场添加")):
            detail.write_string(0, c, h, head)
        for i, line in enumerate(report.lines, start=1):
            for c, value in enumerate((line.name, line.masked_id, line.department, OUTCOME_ZH[line.outcome],
                                       line.reason, "是" if line.walk_in else "")):
                detail.write_string(i, c, safe_cell(value))
        detail.set_column(0, 5, 18)
        book.close()
    except OSError:
        raise ReportError("无法写入报告文件", "cannot write the report file") from None
    return path
