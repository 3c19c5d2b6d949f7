"""Near misses: when a promotion that did not apply deserves a hint, and the hint's shape.

A miss is *near* (and gets a hint) when at least half of a money threshold is reached, or at
most half of a set's units (at least one present) are missing. Payment-method misses always
hint (the customer can still choose how to pay); upsells hint when the required product is in
the cart; member-only promotions hint "join" when the cart is otherwise eligible.
"""

from __future__ import annotations


def near_amount(measured: int, required: int) -> bool:
    """At least half of the amount is reached."""
    return measured * 2 >= required


def near_quantity(have: int, required: int) -> bool:
    """At least one unit present and at most half of ``required`` missing."""
    return have >= 1 and (required - have) * 2 <= required
