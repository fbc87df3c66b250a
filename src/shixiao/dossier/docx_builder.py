"""Word (.docx) documents from plain blocks. No Django here: the caller decides the words
(already translated) and the order; this module only lays them out.

    build("示范市政协 张三 2025年度委员履职报告", ["Generated on 2025-12-31"],
          [Heading("Score"), KeyValues([("Total", "52")]), Picture(png_bytes)])

Chinese text needs an East Asian font named in every style (w:eastAsia); without it Word
falls back to whatever the template's theme says, which on many machines is a Latin font.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

#: 宋体 (SimSun) ships with every Chinese Windows and with WPS; LibreOffice maps it to Noto
#: Serif CJK SC through fontconfig. Charts carry their glyphs as pixels and need no font.
EAST_ASIAN_FONT = "宋体"
LATIN_FONT = "Times New Roman"
LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    note: bool = False  # smaller and grey: sources, caveats


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class KeyValues:
    """A two-column table of facts (label, value)."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths_cm: Sequence[float] = field(default=())


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_cm: float = 15.0
    caption: str = ""


Block = Heading | Paragraph | Bullets | KeyValues | Table | Picture


def build(title: str, subtitle: Sequence[str], blocks: Sequence[Block], *,
          east_asian_font: str = EAST_ASIAN_FONT, author: str = "") -> bytes:
    """The document as .docx bytes."""
    document = Document()
    _page_setup(document)
    _fonts(document, east_asian_font)
    document.core_properties.title = title[:255]
    document.core_properties.author = author[:255]
    document.core_properties.language = LANGUAGE
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in subtitle:
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in blocks:
        _add(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as offices print
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))


def _fonts(document, east_asian_font: str) -> None:
    """Name the fonts in every style text uses, and drop theme fonts that would win."""
    for style in document.styles:
        if not hasattr(style, "font") or style.type is None:
            continue
        if style.name in ("Normal", "Title", "Table Grid", "List Bullet", "Caption") \
                or style.name.startswith("Heading"):
            r_pr = style.element.get_or_add_rPr()
            fonts = r_pr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                r_pr.insert(0, fonts)
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                if fonts.get(qn(theme)) is not None:
                    del fonts.attrib[qn(theme)]
            fonts.set(qn("w:ascii"), LATIN_FONT)
            fonts.set(qn("w:hAnsi"), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), east_asian_font)
            lang = r_pr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                r_pr.append(lang)
            lang.set(qn("w:eastAsia"), LANGUAGE)
    document.styles["Normal"].font.size = Pt(11)


def _add(document, block: Block) -> None:
    match block:
        case Heading(text=text, level=level):
            document.add_heading(text, level=level)
        case Paragraph(text=text, bold=bold, note=note):
            run = document.add_paragraph().add_run(text)
            run.bold = bold
            if note:
                run.font.size = Pt(9)
                run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        case Bullets(items=items):
            for item in items:
                document.add_paragraph(item, style="List Bullet")
        case KeyValues(rows=rows):
            _table(document, None, rows, (4.5, 12.1))
        case Table(columns=columns, rows=rows, widths_cm=widths):
            _table(document, columns, rows, widths)
        case Picture(png=png, width_cm=width, caption=caption):
            document.add_picture(io.BytesIO(png), width=Cm(width))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if caption:
                paragraph = document.add_paragraph(caption, style="Caption")
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        case _:
            raise TypeError(f"not a document block: {block!r}")


def _table(document, columns, rows, widths) -> None:
    width = len(columns) if columns else 2
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if columns:
        cells = table.add_row().cells
        for cell, text in zip(cells, columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text)).bold = True
        _repeat_as_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)
    if widths and len(widths) == width:
        for row in table.rows:
            for cell, cm in zip(row.cells, widths, strict=True):
                cell.width = Cm(cm)
    document.add_paragraph()  # Word glues consecutive tables together without a gap


def _repeat_as_header(row) -> None:
    """A long table shows its column names again on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
