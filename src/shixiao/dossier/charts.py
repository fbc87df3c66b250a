"""Charts for duty reports, drawn server-side to PNG. No Django here: every function takes
plain labels and numbers and returns PNG bytes.

Labels are Chinese, so a CJK font is required. It is looked up by path first (Debian's
fonts-noto-cjk; SHIXIAO_CJK_FONT names any other file), then among the fonts matplotlib
already knows. Without one, drawing stops with an error naming the package to install:
a chart of empty boxes would look like data and say nothing.

Figures are built with the object API (`Figure` and the Agg canvas), never pyplot, whose
global state is not safe across a server's threads.
"""

import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import anywhere

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties, fontManager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Where distributions put Noto Sans CJK (Debian/Ubuntu fonts-noto-cjk first).
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
#: Family names to accept from matplotlib's font list, best first.
FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK")
FONT_ENV = "SHIXIAO_CJK_FONT"

INSTALL_HINT = (
    "No Chinese (CJK) font was found to draw charts with. Install Debian's fonts-noto-cjk "
    "package (apt-get install fonts-noto-cjk), or set SHIXIAO_CJK_FONT to the path of a "
    "font file with Chinese glyphs."
)


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs is installed; the message says what to install."""


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str


_register_lock = threading.Lock()


def find_cjk_font() -> CJKFont:
    """The CJK font charts draw with; raise CJKFontMissing if there is none."""
    for path in font_paths():
        if os.path.isfile(path):
            family = _family_in_file(path)
            if family:
                return CJKFont(family, path)
    for family, path in installed_cjk_fonts():
        return CJKFont(family, path)
    raise CJKFontMissing(INSTALL_HINT)


def font_paths() -> list[str]:
    override = os.environ.get(FONT_ENV, "").strip()
    return ([override] if override else []) + list(FONT_PATHS)


def installed_cjk_fonts() -> list[tuple[str, str]]:
    """(family, file) of fonts matplotlib knows whose family is one of FAMILIES."""
    found = []
    for wanted in FAMILIES:
        found += [(e.name, e.fname) for e in fontManager.ttflist if e.name.startswith(wanted)]
    return found


def _family_in_file(path: str) -> str | None:
    """Register the file with matplotlib (once) and name the family to ask for. A .ttc
    holds one face per region; the Simplified Chinese one draws the glyphs readers expect."""
    with _register_lock:
        if not any(e.fname == path for e in fontManager.ttflist):
            try:
                fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                return None
        names = [e.name for e in fontManager.ttflist if e.fname == path]
    for wanted in FAMILIES:
        for name in names:
            if name.startswith(wanted):
                return name
    return names[0] if names else None


def _font(size: float | None = None) -> FontProperties:
    font = find_cjk_font()
    return FontProperties(family=font.family, size=size)


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
