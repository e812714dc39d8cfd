"""The receipt as a PDF, in memory: A5 sheet or 80 mm roll, large print, black on white, CJK font embedded.

reportlab embeds only TrueType-outline fonts (not the CFF outlines of Noto CJK's OTF files), so the font is
WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``) or Micro Hei, found by path at run time;
``OUTREACH_RECEIPT_FONT`` names another TrueType/TTC file. The embedded subset carries a ToUnicode map, so
``pdftotext`` gives the Chinese back (what a screen reader or an archive search needs too).

Body text is 14 pt, headings 16 pt, the title 18 pt. Nothing is written to disk: :func:`render` returns bytes.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from outreach.receipts.content import Receipt
from outreach.receipts.errors import FontMissing

Paper = Literal["a5", "roll80"]
PAPERS: tuple[Paper, ...] = ("a5", "roll80")
BODY_PT = 14
HEADING_PT = 16
TITLE_PT = 18
FONT_NAME = "OutreachCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
_lock = threading.Lock()
_registered: str | None = None


def find_font() -> Path:
    """The CJK TrueType font file to embed.

    Raises:
        FontMissing: neither ``OUTREACH_RECEIPT_FONT`` nor a known WenQuanYi file exists.
    """
    override = os.environ.get("OUTREACH_RECEIPT_FONT")
    candidates = (override,) if override else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("fonts-wqy-zenhei")


def _register_font() -> str:
    global _registered
    path = find_font()
    with _lock:
        if _registered != str(path):
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            try:
                font = TTFont(FONT_NAME, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc" \
                    else TTFont(FONT_NAME, str(path))
            except Exception as exc:  # a CFF-outline or broken file: reportlab cannot embed it
                raise FontMissing(type(exc).__name__) from exc
            pdfmetrics.registerFont(font)
            _registered = str(path)
    return FONT_NAME


def render(receipt: Receipt, paper: Paper = "a5") -> bytes:
    """The receipt as PDF bytes.

    Raises:
        FontMissing: no CJK font can be embedded.
    """
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import black, white
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

    font = _register_font()
    roll = paper == "roll80"
    margin = 4 * mm if roll else 12 * mm
    width = 80 * mm if roll else A5[0]
    frame_width = width - 2 * margin
    base = {"fontName": font, "textColor": black, "backColor": white, "wordWrap": "CJK"}
    title = ParagraphStyle("title", fontSize=TITLE_PT, leading=TITLE_PT * 1.3, spaceAfter=2 * mm, **base)
    sub = ParagraphStyle("sub", fontSize=BODY_PT, leading=BODY_PT * 1.35, spaceAfter=2 * mm, **base)
    head = ParagraphStyle("head", fontSize=HEADING_PT, leading=HEADING_PT * 1.3, spaceBefore=3 * mm, keepWithNext=1,
                          spaceAfter=1 * mm, **base)
    body = ParagraphStyle("body", fontSize=BODY_PT, leading=BODY_PT * 1.4, **base)

    story: list[Flowable] = [Paragraph(escape(receipt.title), title), Paragraph(escape(receipt.subtitle), sub)]
    for section in receipt.sections:
        story.append(Paragraph("■ " + escape(section.heading), head))
        story.extend(Paragraph(escape(line), body) for line in section.lines)
    side = min(frame_width, 45 * mm)
    qr = QrCodeWidget(receipt.qr_payload, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    story.extend([Spacer(1, 3 * mm), drawing])

    if roll:
        height = 2 * margin + 12 + 10 * mm  # the frame's own padding is 6 pt on each side
        for flowable in story:
            _w, h = flowable.wrap(frame_width - 12, 10_000)
            height += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
        pagesize = (width, height)
    else:
        pagesize = A5
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=pagesize, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=receipt.title, author="Hainan social security card outreach", subject=receipt.kind,
        creator="outreach", invariant=1,
    )
    doc.build(story)
    return out.getvalue()
