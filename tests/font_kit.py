"""Helpers for testing which font draws a chart's glyphs: hide the system's fonts, make a
small stand-in "system" font, and record, glyph by glyph, the font file matplotlib drew
with (the same layout call the Agg renderer makes, so a fallback font shows up as such)."""

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager

from shixiao.dossier import charts


def hide_system_fonts(monkeypatch) -> None:
    """As on a machine with no CJK font: no known path, no family in matplotlib's list, no
    SHIXIAO_CJK_FONT. The fonts under /usr/share/fonts that matplotlib knows stay in its
    list, but charts never ask for their families."""
    monkeypatch.delenv(charts.FONT_ENV, raising=False)
    monkeypatch.setattr(charts, "FONT_PATHS", ())
    monkeypatch.setattr(charts, "installed_cjk_fonts", lambda: [])


def forget_added_fonts(before: list) -> None:
    """Put matplotlib's font list back as it was before a test registered its own fonts."""
    fontManager.ttflist[:] = before
    fontManager._findfont_cached.cache_clear()


def record_glyph_fonts(monkeypatch) -> dict[str, set[str]]:
    """{character: files of the fonts that drew it} for all text drawn from now on."""
    drawn: dict[str, set[str]] = {}
    original = RendererAgg.draw_text

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if not ismath:
            for item in self._prepare_font(prop)._layout(s, flags=get_hinting_flag()):
                drawn.setdefault(item.char, set()).add(str(Path(item.ft_object.fname)))
        return original(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    monkeypatch.setattr(RendererAgg, "draw_text", draw_text)
    return drawn


def cmap_of(path) -> set[str]:
    return {chr(code) for code in TTFont(path, lazy=True).getBestCmap()}


def make_font(path: Path, family: str, characters: str) -> Path:
    """A small TrueType font whose glyphs for `characters` are filled squares."""
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in characters]
    pen = TTGlyphPen(None)
    for x0, y0, x1, y1 in ((100, 0, 900, 800),):
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
    square = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): name for c, name in zip(characters, names[1:],
                                                                strict=True)})
    builder.setupGlyf({name: square for name in names})
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880,
                     usWinDescent=120)
    builder.setupPost()
    builder.save(path)
    return path
