"""Allocating a discount to cart lines so the parts sum exactly (largest remainder).

Every discount is split over the lines it falls on in proportion to weights (the raw discount
each line earned), never above what is left on a line (its cap). Shares are floored, then the
minor units still missing go one by one to the lines with the largest remainders; ties go to
the line whose canonical position (order of ``line_id``) comes first, so the split does not
depend on the order of lines in the request.
"""

from __future__ import annotations

from collections.abc import Sequence


def allocate(amount: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split ``amount`` (minor units) over positions with ``weights``, each at most its cap.

    Returns one share per position; the shares sum to ``amount`` exactly. Positions with weight
    0 get 0. Requires ``0 <= amount <= sum(caps of positive-weight positions)``; the engine
    limits every discount to that before allocating (ValueError otherwise: a bug, not input).
    """
    size = len(weights)
    shares = [0] * size
    open_positions: list[int] = []
    room = 0
    for i in range(size):
        if weights[i] > 0:
            cap = caps[i]
            if cap > 0:
                open_positions.append(i)
                room += cap
    if amount <= 0:
        return shares
    if amount > room:
        raise ValueError("allocation exceeds what is left on the lines")
    if len(open_positions) == 1:
        shares[open_positions[0]] = amount
        return shares
    proposed = [0] * size
    remainders = [0] * size
    left = amount
    while left > 0:
        total_weight = 0
        for i in open_positions:
            total_weight += weights[i]
        given = 0
        for i in open_positions:
            part = left * weights[i]
            share = part // total_weight
            proposed[i] = share
            remainders[i] = part - share * total_weight
            given += share
        extra = left - given
        if extra:
            # largest remainder first; ties to the lower position (``open_positions`` is
            # ascending and the sort is stable)
            ranked = sorted(open_positions, key=lambda i: -remainders[i])
            for k in range(extra):
                proposed[ranked[k]] += 1
        over: list[int] = []
        for i in open_positions:
            if shares[i] + proposed[i] > caps[i]:
                over.append(i)
        if not over:
            for i in open_positions:
                shares[i] += proposed[i]
            return shares
        # Lines that would go below zero take what is left on them and drop out; the rest
        # of the amount is spread again over the other lines.
        for i in over:
            left -= caps[i] - shares[i]
            shares[i] = caps[i]
        open_positions = [i for i in open_positions if i not in over]
    return shares
