"""A small client of the compiler's HO API for the importer (httpx, bearer token).

Errors come back as :class:`ApiError` naming the request and, for a 422 or 409, every field
the API named (``rules.discount_percent: Input should be less than or equal to 100``), so
the importer's output says what to fix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx

#: Development admin token of the compiler (``PROMOFLOW_ENV=development``).
DEV_ADMIN_TOKEN = "dev-admin-token"


class ApiError(Exception):
    """A request the API refused: method, path, status and the fields it named."""

    def __init__(self, method: str, path: str, status: int, problems: list[str]) -> None:
        self.method, self.path, self.status, self.problems = method, path, status, problems
        super().__init__(f"{method} {path}: HTTP {status}: {'; '.join(problems) or 'no detail'}")


def problems_of(body: Any) -> list[str]:
    """``field: message`` for each entry of a FastAPI ``detail`` (``loc`` without ``body``)."""
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, str):
        return [detail]
    found: list[str] = []
    for entry in detail if isinstance(detail, list) else []:
        if not isinstance(entry, dict):
            found.append(str(entry))
            continue
        loc = [str(p) for p in entry.get("loc", []) if p != "body"]
        field = ".".join(loc) or entry.get("field", "?")
        found.append(f"{field}: {entry.get('msg', entry.get('message', ''))}")
    return found


class HoClient:
    """JSON requests to the compiler API at ``base_url`` with ``Authorization: Bearer``."""

    def __init__(
        self,
        base_url: str,
        token: str = DEV_ADMIN_TOKEN,
        *,
        http: httpx.Client | None = None,
        timeout: float = 60.0,
    ) -> None:
        """``http`` replaces the connection pool (e.g. a FastAPI ``TestClient`` in tests)."""
        self.http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.requests = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> HoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        allow: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """(status, JSON body or None). Raises :class:`ApiError` on a status >= 400 that is
        not in ``allow``, and ``httpx.HTTPError`` when the API cannot be reached."""
        with self._lock:
            self.requests += 1
        response = self.http.request(method, path, json=json, params=params)
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:500]}
        if response.status_code >= 400 and response.status_code not in allow:
            raise ApiError(method, path, response.status_code, problems_of(body))
        return response.status_code, body

    def get(self, path: str, **params: Any) -> Any:
        """GET ``path`` (raises :class:`ApiError` on an error status)."""
        return self.call("GET", path, params=params)[1]

    def get_or_none(self, path: str) -> Any:
        """GET ``path``; None on 404."""
        status, body = self.call("GET", path, allow=(404,))
        return None if status == 404 else body

    def post(self, path: str, json: Any = None) -> Any:
        """POST JSON to ``path``."""
        return self.call("POST", path, json=json)[1]

    def patch(self, path: str, json: Any) -> Any:
        """PATCH JSON to ``path``."""
        return self.call("PATCH", path, json=json)[1]

    def put(self, path: str, json: Any) -> Any:
        """PUT JSON to ``path``."""
        return self.call("PUT", path, json=json)[1]

    def list_all(self, path: str, page_size: int = 1000, **params: Any) -> Iterator[Any]:
        """Every item of a paged list endpoint (``items``/``total``/``limit``/``offset``)."""
        offset = 0
        while True:
            page = self.get(path, limit=page_size, offset=offset, **params)
            yield from page["items"]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return
