"""A tiny server-side chart library: inline SVG bar charts for the HO dashboard.

No JavaScript and nothing loaded from a CDN, so the page works offline and in tests. Values are
drawn to scale from zero; labels and titles are escaped. Geometry uses floats (pixels), the
figures printed in the labels are the exact values given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

PALETTE = ("#2f6fb0", "#e08a1e", "#3a9a5b", "#b0413e", "#7057a3")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (drawn to scale) and the text shown for it."""

    label: str
    value: Decimal | int
    shown: str


def horizontal_bars(title: str, bars: Sequence[Bar], *, width: int = 560) -> Markup:
    """Horizontal bars, one row per bar, largest value = full width; empty -> a note."""
    if not bars:
        return Markup(f'<p class="empty">{escape(title)}: no data in this range.</p>')
    row, label_w, value_w = 22, 170, 110
    plot_w = width - label_w - value_w
    top = max((float(b.value) for b in bars), default=0.0) or 1.0
    height = row * len(bars) + 28
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = 24 + i * row
        w = max(float(bar.value), 0.0) / top * plot_w
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(bar.label[:28])}'
            "</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{colour}"><title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_timeline(title: str, bars: Sequence[Bar], *, width: int = 720) -> Markup:
    """Vertical columns in date order (labels under the first, middle and last column)."""
    if not bars:
        return Markup(f'<p class="empty">{escape(title)}: no data in this range.</p>')
    height, bottom, top_pad = 200, 24, 24
    plot_h = height - bottom - top_pad
    step = width / len(bars)
    top = max((float(b.value) for b in bars), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>',
    ]
    labelled = {0, len(bars) // 2, len(bars) - 1}
    for i, bar in enumerate(bars):
        h = max(float(bar.value), 0.0) / top * plot_h
        x = i * step + step * 0.1
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.8:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(bar.label)}: '
            f"{escape(bar.shown)}</title></rect>"
        )
        if i in labelled:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" class="axis">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
