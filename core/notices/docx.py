"""A notice template and its values in, the bytes of a DOCX a school prints out.

The layout is that of an official notice on A4: the title centred in 黑体, the number under it,
the salutation, the paragraphs indented by two characters in 宋体, 特此通知, the issuing unit
and the date on the right, and, when the template has one, a 回执 below a cutting line for
the guardian to sign and return. Several notices go into one document one to a page (the
autumn 入学通知书 of a whole grade).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from core.rules.specs import NOTICE_FIELDS, NoticeTemplate

#: What a blank the values do not fill prints as: a line to write on.
BLANK = "__________"
_BODY_FONT, _TITLE_FONT = "SimSun", "SimHei"


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return BLANK


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its ``{blanks}`` filled (an empty or missing value prints as a line)."""
    known = _Values({k: v for k, v in values.items() if k in NOTICE_FIELDS and v})
    return text.format_map(known)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, *, size: float = 14, align=None, indent: bool = False,
               bold: bool = False, font: str = _BODY_FONT, after: float = 6):  # fmt: skip
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.5
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def render_notices(template: NoticeTemplate, notices: Sequence[Mapping[str, str]]) -> bytes:
    """One notice per mapping of values, one to a page, as DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    style = doc.styles["Normal"]
    style.font.name = _BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _BODY_FONT)
    doc.core_properties.title = template.title
    doc.core_properties.created = datetime(2000, 1, 1)
    for index, values in enumerate(notices):
        if index:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _paragraph(
            doc, fill(template.title, values), size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
            bold=True, font=_TITLE_FONT, after=4,
        )  # fmt: skip
        if values.get("number"):
            _paragraph(doc, values["number"], size=12, align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
        if template.salutation:
            _paragraph(doc, fill(template.salutation, values))
        for text in template.paragraphs:
            _paragraph(doc, fill(text, values), indent=True)
        if template.closing:
            _paragraph(doc, fill(template.closing, values), indent=True, after=30)
        _paragraph(doc, fill(template.issuer, values), align=WD_ALIGN_PARAGRAPH.RIGHT, after=0)
        _paragraph(doc, values.get("issued_on") or BLANK, align=WD_ALIGN_PARAGRAPH.RIGHT)
        if template.receipt:
            _paragraph(
                doc, "- - - - - - - - - - - - - 裁 剪 线 - - - - - - - - - - - - -", size=10,
                align=WD_ALIGN_PARAGRAPH.CENTER, after=12,
            )  # fmt: skip
            _paragraph(doc, fill(template.receipt, values), size=12, indent=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_notice(template: NoticeTemplate, values: Mapping[str, str]) -> bytes:
    """One notice as DOCX bytes."""
    return render_notices(template, [values])
