"""Errors of the edge sync."""

from __future__ import annotations


class EdgeSyncError(Exception):
    """Base of the edge sync's errors."""


class HoSyncError(EdgeSyncError):
    """The HO sync API could not be reached or answered something unusable."""
