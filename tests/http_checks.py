"""Checking HTTP answers in tests (TestClient and httpx share the ``Response`` type)."""

from __future__ import annotations

from typing import Any

from httpx import Response


def ok(response: Response, status: int = 200) -> Any:
    """The JSON body, after checking the status (with the URL and body in the failure message)."""
    assert response.status_code == status, (response.request.url, response.text)
    return response.json() if response.content else None
