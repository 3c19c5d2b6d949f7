"""A bounded memo keyed by object identity, for values derived from frozen specs.

Pydantic models with list fields are neither hashable nor weak-referenceable, and a save
derives the same facts from thousands of cached, immutable specs; this keeps the object
alive with its value so an identity match is always the same object.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``get(obj, compute)`` returns ``compute(obj)``, computed once per live object."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: OrderedDict[int, tuple[K, V]] = OrderedDict()

    def get(self, obj: K, compute: Callable[[K], V]) -> V:
        """The memoised value of ``obj`` (computed now if unknown)."""
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = compute(obj)
        self._entries[id(obj)] = (obj, value)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return value
