"""The pure drawing and layout modules: PNG out, Chinese in, and a clear refusal without a
CJK font. No database."""

import io

import pytest
from docx import Document

from shixiao.dossier import charts, docx_builder
from shixiao.dossier.docx_builder import Bullets, Heading, KeyValues, Paragraph, Picture, Table


def test_bar_chart_returns_png_bytes():
    png = charts.bar_chart(["实效", "跟踪问效", "履职工作"], [20, 4, 30], title="分类得分",
                           horizontal=True)
    assert png.startswith(charts.PNG_SIGNATURE)
    counts = charts.bar_chart([str(m) for m in range(1, 13)], [0] * 12, integer=True)
    assert counts.startswith(charts.PNG_SIGNATURE)


def test_the_font_found_is_a_chinese_one():
    font = charts.find_cjk_font()
    assert "CJK" in font.family and font.path


def test_charts_refuse_to_draw_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "font_paths", lambda: ["/nonexistent/NotoSansCJK.ttc"])
    monkeypatch.setattr(charts, "installed_cjk_fonts", lambda: [])
    with pytest.raises(charts.CJKFontMissing, match="fonts-noto-cjk"):
        charts.bar_chart(["实效"], [1])


def test_a_font_named_by_the_environment_comes_first(monkeypatch):
    path = charts.FONT_PATHS[0]
    monkeypatch.setenv(charts.FONT_ENV, "/somewhere/else.ttc")
    assert charts.font_paths()[:2] == ["/somewhere/else.ttc", path]


def test_bar_chart_needs_one_value_per_label():
    with pytest.raises(ValueError):
        charts.bar_chart(["a", "b"], [1])


def test_builder_lays_out_every_block_and_round_trips():
    png = charts.bar_chart(["一"], [1])
    body = docx_builder.build("张三 2025年度委员履职报告", ["示范市政协"], [
        Heading("得分"), Paragraph("说明", note=True), Bullets(["甲", "乙"]),
        KeyValues([("总分", "52")]), Table(["规则", "分"], [["提案立案", "3"]], (8, 4)),
        Picture(png, caption="图一")])
    document = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "履职报告" in text and "甲" in text and "图一" in text
    assert [[c.text for c in r.cells] for r in document.tables[1].rows] == [
        ["规则", "分"], ["提案立案", "3"]]
    assert len(document.inline_shapes) == 1
    assert document.core_properties.title == "张三 2025年度委员履职报告"


def test_builder_names_the_east_asian_font_in_styles():
    document = Document(io.BytesIO(docx_builder.build("标题", [], [Heading("一")])))
    qn = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    for style in ("Normal", "Title", "Heading 1"):
        assert document.styles[style].element.rPr.rFonts.get(qn) == \
            docx_builder.EAST_ASIAN_FONT


def test_builder_refuses_unknown_blocks():
    with pytest.raises(TypeError):
        docx_builder.build("标题", [], ["not a block"])
