"""Inline SVG charts written in plain Python (no plotting library, no scripts, no CDN).

Each function returns one ``<svg>`` element as a string, sized in CSS pixels, with
``<title>`` tooltips on the marks so readers can hover for exact values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

# Okabe & Ito (2008) colour-blind-safe palette
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# viridis, sampled at 9 stops
_VIRIDIS = (
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
)  # fmt: skip
FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"


def colour_scale(t: float) -> str:
    """Viridis colour for ``t`` in [0, 1] (clamped)."""
    t = 0.0 if math.isnan(t) else min(1.0, max(0.0, t))
    pos = t * (len(_VIRIDIS) - 1)
    i = min(int(pos), len(_VIRIDIS) - 2)
    f = pos - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_VIRIDIS[i], _VIRIDIS[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _text_colour(t: float) -> str:
    return "#000" if t > 0.55 else "#fff"


def fmt(value: float | None, scale: float = 100.0, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * scale:.{digits}f}"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi - step * 1e-9:  # the last tick must cover the maximum
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img' aria-label='{escape(label)}' {FONT} font-size='12'>"
    )


def _start(width: float, height: float, label: str, title: str, *, size: int = 13) -> list[str]:
    """The opening ``<svg>`` tag plus the chart title (if any), as the first parts of a chart."""
    out = [_svg_open(width, height, title or label)]
    if title:
        out.append(f"<text x='4' y='16' font-weight='600' font-size='{size}'>{escape(title)}</text>")
    return out


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: dict[tuple[str, str], float],
    *,
    title: str = "",
    row_label: str = "source",
    col_label: str = "target",
    scale: float = 100.0,
    tooltips: dict[tuple[str, str], str] | None = None,
) -> str:
    """A rows x cols heatmap with the value printed in each cell (viridis, min..max of the data)."""
    cell_w, cell_h = max(46, 12 + 7.4 * max((len(c) for c in cols), default=4)), 30
    left = 16 + 7.2 * max((len(r) for r in rows), default=4)
    top = 40 + (18 if title else 0)
    width = left + cell_w * len(cols) + 90
    height = top + cell_h * len(rows) + 40
    finite = [v for v in values.values() if v is not None and math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    out = _start(width, height, "heatmap", title)
    out.append(
        f"<text x='{left + cell_w * len(cols) / 2:.1f}' y='{top - 26}' text-anchor='middle' fill='#444'>"
        f"{escape(col_label)} →</text>"
    )
    out.append(f"<text x='4' y='{top - 8}' fill='#444'>{escape(row_label)} ↓</text>")
    for j, col in enumerate(cols):
        x = left + cell_w * j + cell_w / 2
        out.append(f"<text x='{x:.1f}' y='{top - 8}' text-anchor='middle'>{escape(col)}</text>")
    for i, row in enumerate(rows):
        y = top + cell_h * i
        out.append(
            f"<text x='{left - 6:.1f}' y='{y + cell_h / 2 + 4:.1f}' text-anchor='end'>{escape(row)}</text>"
        )
        for j, col in enumerate(cols):
            x = left + cell_w * j
            v = values.get((row, col))
            if v is None or not math.isfinite(v):
                out.append(
                    f"<rect class='cell empty' x='{x:.1f}' y='{y:.1f}' width='{cell_w - 2}' height='{cell_h - 2}' "
                    f"fill='#f2f2f2' stroke='#ddd'><title>{escape(row)} → {escape(col)}: no run</title></rect>"
                )
                continue
            t = (v - lo) / span
            tip = (tooltips or {}).get((row, col), f"{row} → {col}: {fmt(v, scale, 2)}")
            out.append(
                f"<rect class='cell' x='{x:.1f}' y='{y:.1f}' width='{cell_w - 2}' height='{cell_h - 2}' "
                f"fill='{colour_scale(t)}'><title>{escape(tip)}</title></rect>"
                f"<text x='{x + cell_w / 2 - 1:.1f}' y='{y + cell_h / 2 + 3:.1f}' text-anchor='middle' "
                f"fill='{_text_colour(t)}' font-size='11'>{fmt(v, scale)}</text>"
            )
    # colour bar
    bx, by, bh = left + cell_w * len(cols) + 24, top, max(cell_h * len(rows), 60)
    out.append("<defs><linearGradient id='vir' x1='0' y1='1' x2='0' y2='0'>")
    for k, _ in enumerate(_VIRIDIS):
        out.append(
            f"<stop offset='{k / (len(_VIRIDIS) - 1):.3f}' stop-color='{colour_scale(k / (len(_VIRIDIS) - 1))}'/>"
        )
    out.append("</linearGradient></defs>")
    out.append(f"<rect x='{bx}' y='{by}' width='12' height='{bh}' fill='url(#vir)'/>")
    out.append(f"<text x='{bx + 16}' y='{by + 10}'>{fmt(hi, scale)}</text>")
    out.append(f"<text x='{bx + 16}' y='{by + bh}'>{fmt(lo, scale)}</text>")
    out.append("</svg>")
    return "".join(out)


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[str],
    values: dict[tuple[str, str], float],
    errors: dict[tuple[str, str], tuple[float, float]] | None = None,
    *,
    title: str = "",
    y_label: str = "score",
    scale: float = 100.0,
) -> str:
    """Bars grouped by ``groups`` (x axis), one colour per series, with error whiskers."""
    errors = errors or {}
    n_series = max(len(series), 1)
    bar_w = max(8.0, min(28.0, 220.0 / n_series))
    group_w = bar_w * n_series + 18
    left, top, plot_h = 52.0, 30.0 + (16 if title else 0), 220.0
    legend_h = 18 * math.ceil(len(series) / 3)
    width = max(left + group_w * len(groups) + 20, 360)
    height = top + plot_h + 44 + legend_h
    tops = [v for v in values.values() if v is not None and math.isfinite(v)]
    tops += [hi for _, hi in errors.values() if math.isfinite(hi)]
    y_max = max(tops) if tops else 1.0
    ticks = nice_ticks(0.0, y_max * scale, 5)
    y_top = ticks[-1] / scale if ticks[-1] > 0 else 1.0

    def y(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, v) / y_top

    out = _start(width, height, "bar chart", title)
    for t in ticks:
        yy = y(t / scale)
        out.append(
            f"<line x1='{left}' x2='{width - 10}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#e5e5e5'/>"
            f"<text x='{left - 6}' y='{yy + 4:.1f}' text-anchor='end' fill='#555'>{t:g}</text>"
        )
    out.append(
        f"<text transform='translate(14 {top + plot_h / 2:.0f}) rotate(-90)' text-anchor='middle' fill='#444'>"
        f"{escape(y_label)}</text>"
    )
    for gi, group in enumerate(groups):
        gx = left + 10 + group_w * gi
        for si, name in enumerate(series):
            v = values.get((group, name))
            if v is None or not math.isfinite(v):
                continue
            x = gx + bar_w * si
            colour = PALETTE[si % len(PALETTE)]
            err = errors.get((group, name))
            tip = f"{name} on {group}: {fmt(v, scale, 2)}"
            if err:
                tip += f" [{fmt(err[0], scale, 2)}, {fmt(err[1], scale, 2)}]"
            out.append(
                f"<rect class='bar' x='{x:.1f}' y='{y(v):.1f}' width='{bar_w - 2:.1f}' "
                f"height='{top + plot_h - y(v):.1f}' fill='{colour}'><title>{escape(tip)}</title></rect>"
            )
            if err:
                cx = x + (bar_w - 2) / 2
                lo, hi = y(err[0]), y(err[1])
                out.append(
                    f"<path class='whisker' d='M{cx:.1f} {lo:.1f}V{hi:.1f}M{cx - 3:.1f} {lo:.1f}h6M{cx - 3:.1f} {hi:.1f}h6' "
                    "stroke='#222' stroke-width='1.2' fill='none'/>"
                )
        out.append(
            f"<text x='{gx + bar_w * n_series / 2:.1f}' y='{top + plot_h + 16:.1f}' text-anchor='middle'>"
            f"{escape(group)}</text>"
        )
    out.append(f"<line x1='{left}' x2='{width - 10}' y1='{top + plot_h}' y2='{top + plot_h}' stroke='#888'/>")
    for si, name in enumerate(series):
        lx = left + (si % 3) * ((width - left) / 3)
        ly = top + plot_h + 34 + 18 * (si // 3)
        out.append(
            f"<rect x='{lx:.1f}' y='{ly - 9:.1f}' width='10' height='10' fill='{PALETTE[si % len(PALETTE)]}'/>"
            f"<text x='{lx + 14:.1f}' y='{ly:.1f}'>{escape(name)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def scatter(
    points: Sequence[tuple[str, float, float]],
    *,
    title: str = "",
    x_label: str = "distance",
    y_label: str = "score",
    fit: tuple[float, float] | None = None,
    note: str = "",
    y_scale: float = 100.0,
    width: float = 380.0,
    height: float = 300.0,
) -> str:
    """Labelled points (label, x, y) with an optional least-squares line ``(slope, intercept)``."""
    left, top, right, bottom = 52.0, 28.0 + (6 if title else 0), 14.0, 44.0
    pw, ph = width - left - right, height - top - bottom
    xs = [p[1] for p in points] or [0.0, 1.0]
    ys = [p[2] * y_scale for p in points] or [0.0, 1.0]
    xt = nice_ticks(min(xs), max(xs), 4)
    yt = nice_ticks(min(ys), max(ys), 4)
    x0, x1 = xt[0], xt[-1] if xt[-1] > xt[0] else xt[0] + 1
    y0, y1 = yt[0], yt[-1] if yt[-1] > yt[0] else yt[0] + 1

    def px(v: float) -> float:
        return left + pw * (v - x0) / (x1 - x0)

    def py(v: float) -> float:
        return top + ph - ph * (v - y0) / (y1 - y0)

    out = _start(width, height, "scatter plot", title)
    for t in xt:
        out.append(
            f"<line x1='{px(t):.1f}' x2='{px(t):.1f}' y1='{top}' y2='{top + ph}' stroke='#eee'/>"
            f"<text x='{px(t):.1f}' y='{top + ph + 14}' text-anchor='middle' fill='#555'>{t:g}</text>"
        )
    for t in yt:
        out.append(
            f"<line x1='{left}' x2='{left + pw}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#eee'/>"
            f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end' fill='#555'>{t:g}</text>"
        )
    out.append(f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='none' stroke='#999'/>")
    out.append(
        f"<text x='{left + pw / 2:.1f}' y='{height - 8}' text-anchor='middle' fill='#444'>{escape(x_label)}</text>"
    )
    out.append(
        f"<text transform='translate(14 {top + ph / 2:.0f}) rotate(-90)' text-anchor='middle' fill='#444'>"
        f"{escape(y_label)}</text>"
    )
    if fit is not None and all(math.isfinite(v) for v in fit):
        slope, intercept = fit
        fx0, fx1 = min(xs), max(xs)
        out.append(
            f"<line class='fit' x1='{px(fx0):.1f}' y1='{py((intercept + slope * fx0) * y_scale):.1f}' "
            f"x2='{px(fx1):.1f}' y2='{py((intercept + slope * fx1) * y_scale):.1f}' stroke='{PALETTE[3]}' "
            "stroke-width='2' stroke-dasharray='6 3'><title>least-squares fit</title></line>"
        )
    for label, x, yv in points:
        out.append(
            f"<circle class='point' cx='{px(x):.1f}' cy='{py(yv * y_scale):.1f}' r='4.5' fill='{PALETTE[0]}' "
            f"fill-opacity='0.8' stroke='#fff'><title>{escape(label)}: x={x:.3g}, y={fmt(yv, y_scale, 2)}</title></circle>"
        )
    if note:
        out.append(
            f"<text x='{left + pw - 4}' y='{top + 14}' text-anchor='end' fill='#222'>{escape(note)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def signed_bars(items: Sequence[tuple[str, float]], *, title: str = "", width: float = 420.0) -> str:
    """Horizontal bars for signed contributions (e.g. a ranker's per-feature explanation)."""
    row_h, left = 20.0, 16 + 7.0 * max((len(k) for k, _ in items), default=6)
    top = 24.0 if title else 6.0
    height = top + row_h * len(items) + 10
    vmax = max((abs(v) for _, v in items), default=1.0) or 1.0
    half = (width - left - 64) / 2  # 64 px on the right for the value labels
    mid = left + half
    out = _start(width, height, "contributions", title, size=12)
    out.append(f"<line x1='{mid:.1f}' x2='{mid:.1f}' y1='{top - 2}' y2='{height - 6}' stroke='#888'/>")
    for i, (name, v) in enumerate(items):
        y = top + row_h * i
        w = half * abs(v) / vmax
        x = mid if v >= 0 else mid - w
        colour = PALETTE[2] if v >= 0 else PALETTE[3]
        out.append(
            f"<text x='{left - 6:.1f}' y='{y + 13:.1f}' text-anchor='end'>{escape(name)}</text>"
            f"<rect class='bar' x='{x:.1f}' y='{y + 3:.1f}' width='{max(w, 0.5):.1f}' height='{row_h - 6}' "
            f"fill='{colour}'><title>{escape(name)}: {v:+.4g}</title></rect>"
            f"<text x='{(mid + half + 4):.1f}' y='{y + 13:.1f}' fill='#444'>{v:+.3g}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def lines(
    series: dict[str, Sequence[float]],
    *,
    title: str = "",
    x_label: str = "layer",
    y_label: str = "score",
    width: float = 520.0,
    height: float = 260.0,
) -> str:
    """One polyline per series over x = 0..len-1 (e.g. MEXA alignment per layer)."""
    left, top, right, bottom = 46.0, 30.0, 130.0, 40.0
    pw, ph = width - left - right, height - top - bottom
    n = max((len(v) for v in series.values()), default=1)
    vals = [v for s in series.values() for v in s if math.isfinite(v)] or [0.0, 1.0]
    yt = nice_ticks(min(0.0, min(vals)), max(vals), 4)

    def px(i: float) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def py(v: float) -> float:
        return top + ph - ph * (v - yt[0]) / ((yt[-1] - yt[0]) or 1)

    out = _start(width, height, "line chart", title)
    for t in yt:
        out.append(
            f"<line x1='{left}' x2='{left + pw}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#eee'/>"
            f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end' fill='#555'>{t:g}</text>"
        )
    for i in range(n):
        out.append(f"<text x='{px(i):.1f}' y='{top + ph + 14}' text-anchor='middle' fill='#555'>{i}</text>")
    out.append(
        f"<text x='{left + pw / 2:.1f}' y='{height - 6}' text-anchor='middle' fill='#444'>{escape(x_label)}</text>"
    )
    for k, (name, vs) in enumerate(sorted(series.items())):
        colour = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vs) if math.isfinite(v))
        out.append(
            f"<polyline class='series' points='{pts}' fill='none' stroke='{colour}' stroke-width='2'>"
            f"<title>{escape(name)}</title></polyline>"
        )
        ly = top + 12 + 16 * k
        out.append(
            f"<rect x='{left + pw + 12}' y='{ly - 9}' width='10' height='10' fill='{colour}'/>"
            f"<text x='{left + pw + 26}' y='{ly}'>{escape(name)}</text>"
        )
    out.append(
        f"<text transform='translate(12 {top + ph / 2:.0f}) rotate(-90)' text-anchor='middle' fill='#444'>{escape(y_label)}</text>"
    )
    out.append("</svg>")
    return "".join(out)
