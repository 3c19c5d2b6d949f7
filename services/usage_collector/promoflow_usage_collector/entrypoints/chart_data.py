"""What the dashboard's charts show, as data for Chart.js (drawn in the browser).

The page embeds a list of :class:`ChartSpec` as JSON (``<script type="application/json">``);
``static/dashboard.js`` draws one Chart.js bar chart per spec on the canvas
``chart-<id>``. Values are plotted as JSON numbers (floats, fine for bar lengths); the text
shown for each bar (``shown``) is the exact figure formatted on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

#: Pixel height of one horizontal bar row, and the room for the title and axis.
ROW_HEIGHT, CHART_PADDING = 24, 60


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (drawn to scale) and the text shown for it."""

    label: str
    value: Decimal | int
    shown: str


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """One bar chart: ``horizontal`` (one row per bar) or columns in label order (timeline).

    ``width``/``height`` are the canvas size in CSS pixels.
    """

    id: str
    title: str
    horizontal: bool
    labels: list[str]
    values: list[float]
    shown: list[str]
    width: int
    height: int

    def as_json(self) -> dict[str, Any]:
        """The spec as the JSON object ``dashboard.js`` reads."""
        return asdict(self)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, horizontal: bool) -> ChartSpec:
    """A chart of ``bars`` (horizontal bars, or columns for a timeline)."""
    height = CHART_PADDING + ROW_HEIGHT * len(bars) if horizontal else 240
    return ChartSpec(
        id=chart_id,
        title=title,
        horizontal=horizontal,
        labels=[b.label for b in bars],
        values=[float(b.value) for b in bars],
        shown=[b.shown for b in bars],
        width=640 if horizontal else 720,
        height=height,
    )
