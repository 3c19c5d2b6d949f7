"""Sending many rows in one parameter: a JSON array expanded by ``json_to_recordset``.

Faster than one PostgreSQL array per column (psycopg quotes every array element in Python);
orjson writes UUIDs, dates and datetimes natively and ``Decimal`` as an exact string, which
PostgreSQL reads back into ``numeric`` without loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson


def _default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def rows_json(rows: Iterable[Mapping[str, Any]]) -> str:
    """A JSON array of ``rows`` for ``json_to_recordset(CAST(:rows AS json))``."""
    return orjson.dumps(list(rows), default=_default).decode()


def id_list(ids: Iterable[UUID]) -> str:
    """Comma-separated ids for ``CAST(string_to_array(:ids, ',') AS uuid[])``."""
    return ",".join(str(i) for i in ids)


#: SQL for a ``uuid[]`` from an :func:`id_list` parameter named ``name``.
def uuid_array(name: str) -> str:
    """``CAST(string_to_array(:name, ',') AS uuid[])`` (an empty string gives ``{}``)."""
    return f"CAST(string_to_array(:{name}, ',') AS uuid[])"
