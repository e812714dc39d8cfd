"""The PDF report: counts and four charts, Chinese first, with the CJK font embedded (subset) so that
``pdftotext`` gives the Chinese back. Drawn from the :class:`Summary`, so no personal data is in it.

Charts: visits per worker per day (lines, the eight busiest workers), visit outcomes, card operations by kind,
deadlines met and missed (issue within 30 working days, collection before recall), and deadlines open.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from outreach.exports.errors import ExportError
from outreach.exports.filters import ExportRequest
from outreach.exports.fonts import find_cjk_font
from outreach.exports.labels import ANSWER_ZH, DATASET_ZH, DEADLINE_ZH, KIND_ZH, OUTCOME_ZH
from outreach.exports.summary import Summary

FONT = "OutreachCJK"
PALETTE = [colors.HexColor(c) for c in ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                        "#e377c2", "#7f7f7f")]


def _register_font() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    found = find_cjk_font()
    if found is None:
        raise ExportError("缺少中文字体（fonts-wqy-microhei），无法生成 PDF 报告",
                          "no CJK font (fonts-wqy-microhei) installed; cannot make the PDF report")
    path, index = found
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=index))


def _title(text: str) -> String:
    return String(0, 0, text, fontName=FONT, fontSize=11)


def _hbar(title: str, items: list[tuple[str, int]], width: float = 170 * mm) -> Drawing:
    items = items[:12] or [("无数据 no data", 0)]
    height = 30 + 16 * len(items)
    d = Drawing(width, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 70 * mm, 10, width - 80 * mm, height - 10
    chart.data = [[n for _, n in reversed(items)]]
    chart.categoryAxis.categoryNames = [label for label, _ in reversed(items)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = PALETTE[0]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    d.add(chart)
    t = _title(title)
    t.x, t.y = 0, height + 6
    d.add(t)
    return d


def _met_missed(summary: Summary, width: float = 170 * mm) -> Drawing:
    kinds = [("issue", "30 个工作日内制卡 issue"), ("collect", "180 日内领卡 collection")]
    d = Drawing(width, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 20 * mm, 20, 90 * mm, 100
    chart.data = [[summary.kept[(k, True)] for k, _ in kinds], [summary.kept[(k, False)] for k, _ in kinds]]
    chart.categoryAxis.categoryNames = [label for _, label in kinds]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = PALETTE[2], PALETTE[3]
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 120 * mm, 100
    legend.fontName = FONT
    legend.colorNamePairs = [(PALETTE[2], "按期 met"), (PALETTE[3], "逾期 missed")]
    d.add(legend)
    t = _title("办理期限：按期与逾期 Deadlines met and missed")
    t.x, t.y = 0, 136
    d.add(t)
    return d


def _visits_lines(summary: Summary, width: float = 170 * mm) -> Drawing:
    d = Drawing(width, 190)
    t = _title("每名工作人员每日走访数 Visits per worker per day")
    t.x, t.y = 0, 176
    d.add(t)
    days = sorted({day for _, day in summary.visits_per_worker_day})
    workers = list(summary.visits_per_worker())[:8]
    if not days:
        d.add(String(0, 80, "无数据 no data", fontName=FONT, fontSize=9))
        return d
    base = days[0]
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 15 * mm, 20, 110 * mm, 140
    plot.data = [[((day - base).days, summary.visits_per_worker_day[(w, day)]) for day in days] for w in workers]
    for i in range(len(workers)):
        plot.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max((days[-1] - base).days, 1)
    plot.xValueAxis.labelTextFormat = lambda v: (base + dt.timedelta(days=int(v))).strftime("%m-%d")
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.labels.fontSize = 7
    d.add(plot)
    legend = Legend()
    legend.x, legend.y = 132 * mm, 160
    legend.fontName, legend.fontSize = FONT, 7
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], w[:18]) for i, w in enumerate(workers)]
    d.add(legend)
    return d


def build_report(path: Path, summary: Summary, *, export_id: str, request: ExportRequest, rows: dict[str, int],
                 created: dt.datetime) -> None:
    """Write the report to ``path``.

    Raises:
        ExportError: no CJK font is installed.
    """
    _register_font()
    normal = ParagraphStyle("n", fontName=FONT, fontSize=9, leading=13)
    heading = ParagraphStyle("h", fontName=FONT, fontSize=15, leading=20)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, f"导出编号 Export ID {export_id} · 第 {doc.page} 页 page")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title="社保卡上门服务报告 Outreach report",
                            subject=export_id, author="outreach", invariant=True)
    area = request.filter.area or "全部 all"
    story: list[Any] = [
        Paragraph("社保卡上门服务报告 Outreach report", heading),
        Paragraph(f"导出编号 Export ID：{export_id}", normal),
        Paragraph(f"生成时间 Created：{created.strftime('%Y-%m-%d %H:%M')} UTC · 地区 Area：{area} · "
                  f"{'脱敏 masked' if request.masked else '完整 full'}", normal),
        Spacer(1, 4 * mm),
    ]
    table = Table([["数据集 Dataset", "行数 Rows"]] + [[DATASET_ZH[d], str(n)] for d, n in rows.items()],
                  colWidths=[70 * mm, 30 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7"))]))
    story += [table, Spacer(1, 5 * mm), _visits_lines(summary), Spacer(1, 4 * mm),
              _hbar("走访结果 Visit outcomes", [(OUTCOME_ZH.get(k, k), n) for k, n in summary.outcomes.most_common()]),
              Spacer(1, 4 * mm),
              _hbar("卡务操作（按类型）Card operations by kind",
                    [(KIND_ZH.get(k, k), n) for k, n in summary.kinds.most_common()]),
              Spacer(1, 4 * mm),
              _hbar("中心答复 Center answers", [(ANSWER_ZH.get(k, k), n) for k, n in summary.answers.most_common()]),
              Spacer(1, 4 * mm), _met_missed(summary), Spacer(1, 4 * mm),
              _hbar("未到期与逾期的期限 Open deadlines",
                    [(f"{DEADLINE_ZH.get(k, k)}{' 逾期' if o else ' 临近'}", n)
                     for (k, o), n in sorted(summary.deadlines_open.items())])]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
