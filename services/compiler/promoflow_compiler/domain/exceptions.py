"""Errors of the pure domain."""

from __future__ import annotations


class CompileError(ValueError):
    """The spec refers to master data the snapshot does not hold (validate first)."""
