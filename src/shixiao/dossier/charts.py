"""Charts for duty reports, drawn server-side to PNG. No Django here: every function takes
plain labels and numbers and returns PNG bytes.

Labels are Chinese, so charts draw with a CJK font, and they always have one: the package
ships Shixiao Sans SC (fonts/, a subset of Noto Sans CJK SC with all of GB 2312 and every
character of the project's own text). A system CJK font is preferred when one is installed
(it has every character, not only the common ones): the file named by SHIXIAO_CJK_FONT,
then the usual paths of Noto Sans CJK / Source Han Sans (Debian, Ubuntu, Kylin, UOS,
Fedora), Microsoft YaHei and SimHei (Windows) and WenQuanYi, then the same families among
the fonts matplotlib knows. Text is drawn with a family list — the preferred font, then the
shipped one, then matplotlib's DejaVu Sans — so a glyph missing from one font comes from the
next instead of an empty box.

The one way to have no font is a broken setup: SHIXIAO_CJK_FONT naming a file that is not a
readable font, or a package installed without its font file. Drawing then stops with
CJKFontMissing, whose message says what to fix: a chart of empty boxes would look like data
and say nothing.

Figures are built with the object API (`Figure` and the Agg canvas), never pyplot, whose
global state is not safe across a server's threads.
"""

import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import anywhere

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties, fontManager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: The font shipped with the package (fonts/README.md says what it holds and how to rebuild
#: it with scripts/build-cjk-font).
VENDORED_FONT = Path(__file__).resolve().parent / "fonts" / "ShixiaoSansSC-Regular.otf"
VENDORED_FAMILY = "Shixiao Sans SC"
#: matplotlib's own font, for a symbol neither CJK font has.
LAST_FAMILY = "DejaVu Sans"

#: Where systems put a CJK sans-serif font, best first. Kylin and UOS are Debian/Ubuntu
#: based and use the same paths for Noto; UOS and Fedora also ship Source Han Sans.
FONT_PATHS = (
    # Noto Sans CJK: Debian/Ubuntu/Kylin/UOS fonts-noto-cjk, Fedora, Arch, openSUSE
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    # Source Han Sans, Adobe's release of the same design
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/adobe-source-han-sans-cn/SourceHanSansCN-Regular.otf",
    "/usr/share/fonts/truetype/source-han-sans/SourceHanSansSC-Regular.otf",
    # Windows: Microsoft YaHei, SimHei
    r"C:\Windows\Fonts\msyh.ttc",
    r"C:\Windows\Fonts\simhei.ttf",
    # WenQuanYi Micro Hei / Zen Hei (Debian/Ubuntu/Kylin, then Fedora)
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
)
#: Family names to accept from matplotlib's font list (and from a file), best first.
#: Windows and macOS fonts are found this way too: matplotlib's list scans the system's font
#: folders wherever they are.
FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
            "Microsoft YaHei", "SimHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
            "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK")
FONT_ENV = "SHIXIAO_CJK_FONT"


class CJKFontMissing(RuntimeError):
    """No usable CJK font: SHIXIAO_CJK_FONT names a bad file, or the package's own font
    file is gone. The message says what to fix."""


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str


_register_lock = threading.Lock()


def find_cjk_font() -> CJKFont:
    """The CJK font charts draw with first: the font SHIXIAO_CJK_FONT names, else a system
    CJK font, else the one shipped with the package."""
    override = os.environ.get(FONT_ENV, "").strip()
    if override:
        family = _family_in_file(override) if os.path.isfile(override) else None
        if not family:
            raise CJKFontMissing(
                f"{FONT_ENV} is set to {override!r}, which is not a readable font file. "
                f"Point it at a font with Chinese glyphs, or unset it to use the system's "
                f"CJK font or the one shipped with shixiao.")
        return CJKFont(family, override)
    return system_cjk_font() or vendored_font()


def system_cjk_font() -> CJKFont | None:
    """The best CJK font installed on this system, or None."""
    for path in FONT_PATHS:
        if os.path.isfile(path):
            family = _family_in_file(path)
            if family:
                return CJKFont(family, path)
    for family, path in installed_cjk_fonts():
        return CJKFont(family, path)
    return None


def vendored_font() -> CJKFont:
    family = _family_in_file(str(VENDORED_FONT)) if VENDORED_FONT.is_file() else None
    if family != VENDORED_FAMILY:
        raise CJKFontMissing(
            f"The font shipped with shixiao is missing or unreadable ({VENDORED_FONT}); "
            f"reinstall the package, install a CJK font (apt-get install fonts-noto-cjk), "
            f"or set {FONT_ENV} to the path of a font file with Chinese glyphs.")
    return CJKFont(family, str(VENDORED_FONT))


def font_families() -> list[str]:
    """The family list charts draw with: a glyph missing from one comes from the next."""
    families = [find_cjk_font().family]
    if families[0] != VENDORED_FAMILY:
        try:
            families.append(vendored_font().family)
        except CJKFontMissing:
            pass  # the preferred font is there; the fallback is a nicety here
    return families + [LAST_FAMILY]


def installed_cjk_fonts() -> list[tuple[str, str]]:
    """(family, file) of fonts matplotlib knows whose family is one of FAMILIES, best
    first. The shipped font is not among them (its family is not in FAMILIES)."""
    found = []
    for wanted in FAMILIES:
        found += [(e.name, e.fname) for e in fontManager.ttflist if e.name.startswith(wanted)]
    return found


def _family_in_file(path: str) -> str | None:
    """Register the file with matplotlib (once) and name the family to ask for. A .ttc
    holds one face per region or weight; the Simplified Chinese one draws the glyphs
    readers expect."""
    with _register_lock:
        if not any(e.fname == path for e in fontManager.ttflist):
            try:
                fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                return None
        names = [e.name for e in fontManager.ttflist if e.fname == path]
    for wanted in (*FAMILIES, VENDORED_FAMILY):
        for name in names:
            if name.startswith(wanted):
                return name
    return names[0] if names else None


def _font(size: float | None = None) -> FontProperties:
    return FontProperties(family=font_families(), size=size)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str = "",
              value_label: str = "", horizontal: bool = False, integer: bool = False,
              width: float = 6.4, height: float | None = None) -> bytes:
    """Bars with their values written on them. Horizontal suits long labels (categories,
    grades with two-language labels); vertical suits short ones (months). `integer`: the
    values are counts, so the value axis has whole-number ticks only."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    font = _font()
    small = _font(9)
    n = max(len(labels), 1)
    height = height or (max(2.4, 0.5 * n + 1.2) if horizontal else 3.6)
    figure = Figure(figsize=(width, height), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    numbers = [float(v) for v in values]
    if horizontal:
        bars = axes.barh(positions, numbers, color="#3b6ea8")
        axes.set_yticks(positions, list(labels), fontproperties=small)
        axes.invert_yaxis()  # first label on top, as it reads in a table
        if value_label:
            axes.set_xlabel(value_label, fontproperties=small)
        axes.axvline(0, color="#555555", linewidth=0.8)
    else:
        bars = axes.bar(positions, numbers, color="#3b6ea8")
        axes.set_xticks(positions, list(labels), fontproperties=small)
        if value_label:
            axes.set_ylabel(value_label, fontproperties=small)
    axes.bar_label(bars, labels=[_number(v) for v in numbers], fontproperties=small,
                   padding=2)
    if title:
        axes.set_title(title, fontproperties=font)
    if integer:
        (axes.xaxis if horizontal else axes.yaxis).set_major_locator(
            MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12 if horizontal else 0.05, y=0.05 if horizontal else 0.15)
    return _png(figure)
