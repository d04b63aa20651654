"""The charts of the report PDF, drawn by matplotlib as SVG with a Chinese font.

``svg(table)`` takes a table of ``rendering.document()`` (``chart`` "bar" or "pie") and returns
an SVG document, or "" when the table has nothing to draw. The PDF shows each as an image of its
own (a data URI), so the charts' ids and styles never meet the page's or each other's. Text stays
text in the font the PDF embeds anyway, so charts are searchable and cheap to draw.

matplotlib is imported on the first chart only: the web processes never pay for it.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import tempfile
import threading

from . import figures as F

# The fonts the PDF uses, in order; Debian's fonts-noto-cjk holds the first.
FONT_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans CJK JP")
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Columns in other units than counts, kept out of a chart of counts.
MONEY_COLUMNS = {"amount", "fines"}
# The bureau's red first, then colours told apart in grey print too.
PALETTE = ("#b3261e", "#1f5fa8", "#e0a030", "#3d8b5a", "#7a4fa0", "#6b6b6b")
MAX_SERIES = 3
LABEL_CHARS = 12
FONT_SIZE = 7.5
MM = 1 / 25.4  # inches

_lock = threading.Lock()  # matplotlib's font manager and rcParams are process-wide


def svg(table: dict, *, width_mm: float = 170, max_height_mm: float = 178) -> str:
    """SVG markup of the table's chart, ``width_mm`` wide and at most ``max_height_mm`` high;
    "" when there is nothing to draw."""
    kind = table.get("chart")
    if kind not in ("bar", "pie"):
        return ""
    series = _series(table)
    if not series or not table["rows"]:
        return ""
    matplotlib = _matplotlib()
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    labels = [_short(row["label"]) for row in table["rows"]]
    with _lock, matplotlib.rc_context(_RC):
        # A bare Figure, not pyplot: nothing is kept in a global registry, so nothing to close.
        # Bars get margins measured from their labels (a constrained layout would draw the
        # figure twice, half the time of a report); the pie's legend is left to the layout.
        figure = Figure(layout="constrained" if kind == "pie" else None)
        FigureCanvasSVG(figure)
        if kind == "pie":
            drawn = _pie(figure, table, series, labels, width_mm)
        else:
            drawn = _bar(figure, table, series, labels, width_mm, max_height_mm)
        if not drawn:
            return ""
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    return buffer.getvalue()


def _series(table):
    """The columns drawn: the counts (not shares, rates or money), at most ``MAX_SERIES``;
    a table of rates only draws its rates."""
    keys = table.get("column_keys") or table["columns"]
    percent = table.get("percent") or [key in F.PERCENT_COLUMNS for key in keys]
    counts = [i for i, key in enumerate(keys) if not percent[i] and key not in MONEY_COLUMNS]
    chosen = counts or list(range(len(keys)))
    if table["chart"] == "pie":
        return chosen  # one slice per row, the sum of its counts
    # Fourteen prefectures of three bars each would be a wall: two series for long tables.
    return chosen[: MAX_SERIES if len(table["rows"]) <= 8 else MAX_SERIES - 1]


def _value(cell):
    value = cell["value"]
    return value if isinstance(value, int | float) else 0


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text(value):
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _bar(figure, table, series, labels, width_mm, max_height_mm):
    """Horizontal bars (long Chinese labels stay readable), one group per row, the first row on
    top."""
    from matplotlib.ticker import MaxNLocator

    values = [[_value(row["cells"][i]) for row in table["rows"]] for i in series]
    if not any(v for column in values for v in column):
        return False
    rows = len(labels)
    group = 0.8
    bar = group / len(series)
    legend_in = 0.22 if len(series) > 1 else 0
    height_in = min(0.35 + legend_in + rows * (0.08 + 0.07 * len(series)), max_height_mm * MM)
    width_in = width_mm * MM
    figure.set_size_inches(width_in, height_in)
    left_in = 0.12 + max(_text_width(label) for label in labels) * FONT_SIZE / 72
    figure.subplots_adjust(
        left=min(left_in / width_in, 0.45),
        right=1 - 0.1 / width_in,
        top=1 - (0.06 + legend_in) / height_in,
        bottom=0.25 / height_in,
    )
    axes = figure.add_subplot()
    positions = range(rows)
    for n, i in enumerate(series):
        offsets = [p - group / 2 + bar * (n + 0.5) for p in positions]
        bars = axes.barh(
            offsets,
            values[n],
            height=bar * 0.92,
            color=PALETTE[n % len(PALETTE)],
            label=table["columns"][i],
        )
        axes.bar_label(
            bars,
            labels=[_text(v) if v else "" for v in values[n]],
            padding=2,
            fontsize=FONT_SIZE - 1.5,
            color="#333333",
        )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.margins(x=0.12, y=0.02)
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.grid(True, color="#dddddd", linewidth=0.5)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
    if len(series) > 1:
        figure.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=len(series),
            frameon=False,
            handlelength=1.2,
            borderaxespad=0.2,
        )
    return True


def _text_width(text) -> float:
    """Width in ems: a Chinese character is one em, a Latin letter or digit about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.58 for ch in text)


def _pie(figure, table, series, labels, width_mm):
    """One slice per row that has any, the legend beside it with each number and share."""
    values = [sum(_value(row["cells"][i]) for i in series) for row in table["rows"]]
    slices = [(label, v) for label, v in zip(labels, values, strict=True) if v > 0]
    total = sum(v for _label, v in slices)
    if not total:
        return False
    figure.set_size_inches(width_mm * MM, max(1.9, 0.5 + 0.17 * len(slices)))
    axes = figure.add_subplot()
    wedges, _texts = axes.pie(
        [v for _label, v in slices],
        colors=[PALETTE[n % len(PALETTE)] for n in range(len(slices))],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.45, "edgecolor": "white", "linewidth": 0.8},
    )
    axes.set_aspect("equal")
    axes.legend(
        wedges,
        [f"{label}  {_text(v)}（{100 * v / total:.1f}%）" for label, v in slices],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
        handlelength=1.0,
    )
    return True


_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [*FONT_FAMILIES, "DejaVu Sans"],
    "font.size": FONT_SIZE,
    "axes.unicode_minus": False,
    "axes.linewidth": 0.6,
    "text.parse_math": False,  # a "$" in an enterprise's or a county's name is just a "$"
    "svg.fonttype": "none",  # text as text: searchable, and weasyprint draws it faster
    "svg.hashsalt": "tsprotect",  # the same figures give the same file
    "xtick.labelsize": FONT_SIZE - 0.5,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
}


@functools.cache
def _matplotlib():
    """matplotlib, headless, with the CJK font registered; its cache in a writable place."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
    )
    if not _writable(folder):
        # The worker may run as a user without a writable home: matplotlib would warn and make
        # a folder of its own at each start; say where, once.
        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="matplotlib-")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    # A font cache made before the fonts were installed does not know them.
    if not known.intersection(FONT_FAMILIES[:2]):
        for path in _font_files():
            font_manager.fontManager.addfont(path)
    return matplotlib


def _writable(folder):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _font_files():
    """Debian's CJK font files: the known paths, else whatever fontconfig answers."""
    found = [path for path in FONT_FILES if os.path.exists(path)]
    if found or not shutil.which("fc-match"):
        return found
    for family in FONT_FAMILIES:
        answer = subprocess.run(  # noqa: S603 — a fixed program and a family name of ours
            ["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
        if answer.lower().endswith((".ttc", ".ttf", ".otf")) and "dejavu" not in answer.lower():
            return [answer]
    return []
