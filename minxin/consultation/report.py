"""The feedback report (意见采纳情况) as Excel and PDF: the counts, then every answered comment
article by article with its decision and reason. Comments are given as the public reads them
(the masked public text; a comment kept private as 「意见涉及个人信息，不予公开」)."""

from __future__ import annotations

import io
from typing import Any, Final

from django.utils import timezone

from minxin.core.sheets import pdf_font, pdf_table_style, pdf_text, row_safe

from .models import Comment, Consultation
from .selectors import Counts
from .workflow import CommentStatus

HEADER: Final = ("序号", "条文", "来源", "意见", "采纳情况", "理由")
PRIVATE: Final = "（该意见未公开）"


def _shown(comment: Comment) -> str:
    return comment.public_text if comment.status == CommentStatus.PUBLISHED else PRIVATE


def _where(comment: Comment) -> str:
    return comment.article.heading if comment.article else "总体意见"


def _source(comment: Comment) -> str:
    label = comment.get_source_display()
    return f"{label}·{comment.contact_point.name}" if comment.contact_point else label


def headline(counts: Counts) -> str:
    return (
        f"共收到意见{counts.comments}条，答复{counts.answered}条：采纳{counts.adopted}条，"
        f"部分采纳{counts.partly}条，未采纳{counts.not_adopted}条"
    )


def report_xlsx(consultation: Consultation, rows: list[Comment], counts: Counts) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("意见采纳情况")
    sheet.append(row_safe([f"《{consultation.title}》意见采纳情况"]))
    sheet.append(row_safe([f"起草单位：{consultation.issuing_unit.name}"]))
    sheet.append(row_safe([headline(counts)]))
    if consultation.report_note:
        sheet.append(row_safe([consultation.report_note]))
    sheet.append([])
    sheet.append(list(HEADER))
    for n, c in enumerate(rows, start=1):
        sheet.append(
            row_safe(
                [n, _where(c), _source(c), _shown(c), c.get_decision_display(), c.decision_reason]
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(consultation: Consultation, rows: list[Comment], counts: Counts) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    font = pdf_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=11)

    def p(text: str) -> Any:
        return Paragraph(pdf_text(text).replace("\n", "<br/>"), cell)

    story: list[Any] = [
        Paragraph(pdf_text(f"《{consultation.title}》意见采纳情况"), title),
        Paragraph(pdf_text(f"起草单位：{consultation.issuing_unit.name}"), body),
        Paragraph(pdf_text(headline(counts) + "。"), body),
    ]
    if consultation.report_note:
        story.append(Paragraph(pdf_text(consultation.report_note), body))
    if consultation.reported_at:
        story.append(
            Paragraph(f"公布时间：{timezone.localtime(consultation.reported_at):%Y-%m-%d}", body)
        )
    table = [
        list(HEADER),
        *(
            [
                n,
                p(_where(c)),
                p(_source(c)),
                p(_shown(c)),
                c.get_decision_display(),
                p(c.decision_reason),
            ]
            for n, c in enumerate(rows, start=1)
        ),
    ]
    widths = [x * mm for x in (10, 18, 24, 64, 16, 58)]
    story.append(Table(table, colWidths=widths, style=pdf_table_style(), repeatRows=1))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=consultation.title,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    ).build(story)
    return out.getvalue()


def report_name(consultation: Consultation, suffix: str) -> str:
    return f"意见采纳情况-{consultation.pk}.{suffix}"
