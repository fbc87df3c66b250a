"""The pure drawing and layout modules: PNG out, Chinese in; which CJK font draws (a system
one first, else the shipped one), and a clear refusal when the font setting is broken.
No database."""

import io
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from docx import Document
from fontTools.ttLib import TTFont
from matplotlib.font_manager import fontManager

from shixiao.dossier import charts, docx_builder
from shixiao.dossier.docx_builder import Bullets, Heading, KeyValues, Paragraph, Picture, Table

from .font_kit import cmap_of, forget_added_fonts, hide_system_fonts, make_font, record_glyph_fonts

ROOT = Path(__file__).resolve().parents[1]


def test_bar_chart_returns_png_bytes():
    png = charts.bar_chart(["实效", "跟踪问效", "履职工作"], [20, 4, 30], title="分类得分",
                           horizontal=True)
    assert png.startswith(charts.PNG_SIGNATURE)
    counts = charts.bar_chart([str(m) for m in range(1, 13)], [0] * 12, integer=True)
    assert counts.startswith(charts.PNG_SIGNATURE)


@pytest.fixture
def fonts_restored():
    """Fonts a test registers with matplotlib are forgotten afterwards."""
    before = list(fontManager.ttflist)
    yield
    forget_added_fonts(before)


@pytest.fixture
def stand_in_system_font(tmp_path, monkeypatch, fonts_restored):
    """A "system" CJK font at a known path, with glyphs for 实 and 效 only, and no other
    system font."""
    hide_system_fonts(monkeypatch)
    path = make_font(tmp_path / "TestHei.ttf", "Shixiao Test Hei", "实效")
    monkeypatch.setattr(charts, "FONT_PATHS", ("/nonexistent/NotoSansCJK-Regular.ttc",
                                               str(path)))
    monkeypatch.setattr(charts, "FAMILIES", ("Shixiao Test Hei", *charts.FAMILIES))
    return path


def test_charts_draw_chinese_with_the_shipped_font_when_the_system_has_none(monkeypatch):
    hide_system_fonts(monkeypatch)
    drawn = record_glyph_fonts(monkeypatch)
    labels = ["实效", "跟踪问效", "履职工作"]
    png = charts.bar_chart(labels, [20, -4, 30], title="分类得分（2025年）", horizontal=True)
    assert png.startswith(charts.PNG_SIGNATURE)
    assert charts.find_cjk_font() == charts.CJKFont(charts.VENDORED_FAMILY,
                                                    str(charts.VENDORED_FONT))
    chinese = set("".join(labels) + "分类得分（年）")
    assert chinese <= set(drawn), "every label and the title were drawn"
    assert {c: drawn[c] for c in chinese} == {c: {str(charts.VENDORED_FONT)} for c in chinese}
    assert chinese <= cmap_of(charts.VENDORED_FONT), "real glyphs, not a fallback box"


def test_a_system_cjk_font_is_preferred_to_the_shipped_one(stand_in_system_font, monkeypatch):
    assert charts.find_cjk_font() == charts.CJKFont("Shixiao Test Hei",
                                                    str(stand_in_system_font))
    assert charts.font_families() == ["Shixiao Test Hei", charts.VENDORED_FAMILY,
                                      charts.LAST_FAMILY]
    drawn = record_glyph_fonts(monkeypatch)
    charts.bar_chart(["实效", "跟踪"], [1, 2])
    assert drawn["实"] == drawn["效"] == {str(stand_in_system_font)}
    assert drawn["跟"] == drawn["踪"] == {str(charts.VENDORED_FONT)}, \
        "a glyph the system font lacks comes from the shipped font, not an empty box"


def test_the_font_named_by_the_environment_comes_before_system_fonts(
        stand_in_system_font, tmp_path, monkeypatch):
    chosen = make_font(tmp_path / "Chosen.ttf", "Shixiao Chosen Hei", "实")
    monkeypatch.setenv(charts.FONT_ENV, str(chosen))
    assert charts.find_cjk_font() == charts.CJKFont("Shixiao Chosen Hei", str(chosen))


def test_system_fonts_come_in_the_order_of_font_paths(tmp_path, monkeypatch, fonts_restored):
    hide_system_fonts(monkeypatch)
    first = make_font(tmp_path / "First.ttf", "Shixiao First Hei", "实")
    second = make_font(tmp_path / "Second.ttf", "Shixiao Second Hei", "实")
    monkeypatch.setattr(charts, "FONT_PATHS", (str(second), str(first)))
    assert charts.find_cjk_font().path == str(second)
    monkeypatch.setattr(charts, "FONT_PATHS", ())
    monkeypatch.setattr(charts, "installed_cjk_fonts", lambda: [("Shixiao First Hei",
                                                                 str(first))])
    assert charts.find_cjk_font().path == str(first), "then matplotlib's font list"


def test_windows_kylin_and_wenquanyi_fonts_are_looked_for():
    paths = " ".join(charts.FONT_PATHS)
    for name in ("msyh.ttc", "simhei.ttf", "NotoSansCJK-Regular.ttc", "SourceHanSansSC",
                 "wqy-microhei.ttc", "wqy-zenhei.ttc"):
        assert name in paths
    for family in ("Microsoft YaHei", "SimHei", "WenQuanYi Micro Hei", "Source Han Sans SC"):
        assert family in charts.FAMILIES


def test_a_broken_cjk_font_setting_stops_drawing_with_a_message_naming_it(monkeypatch):
    monkeypatch.setenv(charts.FONT_ENV, "/nonexistent/font.ttc")
    with pytest.raises(charts.CJKFontMissing, match="SHIXIAO_CJK_FONT.*/nonexistent/font.ttc"):
        charts.bar_chart(["实效"], [1])


def test_a_missing_shipped_font_with_no_system_font_says_to_reinstall(monkeypatch):
    hide_system_fonts(monkeypatch)
    monkeypatch.setattr(charts, "VENDORED_FONT", charts.VENDORED_FONT.with_name("gone.otf"))
    with pytest.raises(charts.CJKFontMissing, match="reinstall"):
        charts.bar_chart(["实效"], [1])


def test_the_shipped_font_has_all_of_gb2312_and_the_chinese_catalogue():
    """scripts/build-cjk-font makes the font from these; rerun it when this fails."""
    cmap = cmap_of(charts.VENDORED_FONT)
    gb2312 = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                gb2312.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763
    assert gb2312 <= cmap
    catalogue = (Path(charts.__file__).parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"
                 / "django.po").read_text(encoding="utf-8")
    msgstrs = "".join(line for line in catalogue.splitlines() if line.startswith("msgstr"))
    chinese = {c for c in msgstrs if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"}
    assert chinese and sorted(chinese - cmap) == []


def test_the_shipped_font_is_small_and_named_apart_from_noto():
    assert charts.VENDORED_FONT.stat().st_size < 3_000_000
    name = TTFont(charts.VENDORED_FONT, lazy=True)["name"]
    assert name.getDebugName(1) == charts.VENDORED_FAMILY
    assert "Open Font License" in name.getDebugName(13)
    licence = charts.VENDORED_FONT.with_name("OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_the_wheel_ships_the_font_and_its_licence():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    package = Path(charts.__file__).parent
    for name in ("ShixiaoSansSC-Regular.otf", "OFL.txt"):
        relative = (package / "fonts" / name).relative_to(package).as_posix()
        assert any(fnmatch(relative, p) for p in patterns), relative


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
