"""The HO dashboard in headless Chromium: Chart.js draws every chart, with the API's figures.

The collector API runs in a thread (uvicorn, real HTTP on a free port) over the seeded
analytics database; Chromium loads ``/dashboard`` with ``--dump-dom`` and the DOM it prints
is what the page looked like after its scripts ran. ``static/dashboard.js`` marks each canvas
once Chart.js has drawn it (``data-rendered``, size, painted pixels, the values drawn).

Needs Debian's ``chromium`` package and Chart.js fetched by ``infra/web/fetch_assets.sh``.
The browser cannot send the bearer header by itself, so the server under test adds it to
every request (the token check itself is tested in ``test_api.py``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from promoflow_infra.processes import free_port
from promoflow_usage_collector.bootstrap import build_api
from promoflow_usage_collector.config import PACKAGE_STATIC_DIR, Settings
from tests.integration.usage_collector.analytics_seed import AUTH, P1, RANGE, TOKEN, seed

CHART_JS = PACKAGE_STATIC_DIR / "vendor" / "chart.umd.min.js"
#: Milliseconds of page time Chromium allows the page's scripts before dumping the DOM.
VIRTUAL_TIME_MS = 5000


def chromium() -> str:
    """The Chromium binary; fails (not skips) with what to install when it is missing."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("headless Chromium is needed: apt-get install -y chromium")


class WithBearer:
    """ASGI wrapper adding ``Authorization: Bearer <token>`` to every HTTP request."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.header = app, (b"authorization", f"Bearer {token}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [*scope["headers"], self.header]}
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server(module_database_url: str) -> Iterator[str]:
    """Base URL of the collector API over the seeded database (served from a thread)."""
    assert CHART_JS.is_file(), "Chart.js is missing: run infra/web/fetch_assets.sh"
    settings = Settings(ho_database_url=module_database_url, analytics_token=TOKEN)
    seed(settings)
    app = build_api(settings)
    port = free_port()
    config = uvicorn.Config(
        WithBearer(app, TOKEN), host="127.0.0.1", port=port, log_level="warning"
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)
        app.state.analytics.engine.dispose()


def dump_dom(url: str, profile: Path) -> str:
    """The DOM of ``url`` after its scripts ran, as headless Chromium prints it."""
    completed = subprocess.run(
        [
            chromium(),
            "--headless=new",
            "--no-sandbox",  # tests run as root in CI containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={VIRTUAL_TIME_MS}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0 and "<html" in completed.stdout, completed.stderr[-2000:]
    return completed.stdout


class DashboardDom(HTMLParser):
    """The parts of a dumped dashboard the test reads: canvases, total tiles, body attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.canvases: dict[str, dict[str, str]] = {}
        self.tiles: dict[str, str] = {}
        self.body: dict[str, str] = {}
        self._tile: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "canvas" and "data-chart" in found:
            self.canvases[found["data-chart"]] = found
        elif tag == "body":
            self.body = found
        elif tag == "div" and found.get("id", "").startswith("total-"):
            self._tile = found["id"]

    def handle_data(self, data: str) -> None:
        if self._tile is not None:
            self.tiles[self._tile] = data.strip()
            self._tile = None


def assert_drawn(canvas: dict[str, str]) -> None:
    """Chart.js drew on the canvas: marked rendered, non-zero size, pixels painted."""
    assert canvas.get("data-rendered") == "true", canvas
    width, height = int(canvas["data-width"]), int(canvas["data-height"])
    assert width > 100 and height > 50, canvas
    assert int(canvas["data-painted"]) > 500, canvas


def drawn(canvas: dict[str, str]) -> dict[str, Any]:
    """The labels and values Chart.js drew, by label."""
    labels = json.loads(canvas["data-labels"])
    values = json.loads(canvas["data-values"])
    return dict(zip(labels, values, strict=True))


def api(base: str, path: str, **params: str) -> Any:
    response = httpx.get(f"{base}{path}", params={**RANGE, **params}, headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_chart_js_draws_every_chart_of_the_dashboard_with_the_api_figures(
    server: str, tmp_path: Path
) -> None:
    # when headless Chromium loads the dashboard of the seeded range and of promotion KOPI10
    urls = [
        f"{server}/dashboard?{_query(RANGE)}",
        f"{server}/dashboard?{_query({**RANGE, 'promotion_id': str(P1)})}",
    ]
    overview, detail = (DashboardDom(dump_dom(u, tmp_path / f"p{i}")) for i, u in enumerate(urls))

    # then Chart.js drew the overview's charts on canvases of real size
    assert overview.body.get("data-charts") == "drawn"
    assert set(overview.canvases) == {"top", "stores", "brands"}
    for canvas in overview.canvases.values():
        assert_drawn(canvas)
    # and the bars are the API's figures: revenue of the top promotions, stores and brands
    top = api(server, "/api/v1/analytics/promotions/top", sort="revenue")["promotions"]
    assert drawn(overview.canvases["top"]) == {
        p["code"]: pytest.approx(float(p["revenue"])) for p in top
    }
    stores = api(server, "/api/v1/analytics/stores")["stores"]
    assert drawn(overview.canvases["stores"]) == {
        s["store_id"][:8]: pytest.approx(float(s["revenue"])) for s in stores
    }
    brands = api(server, "/api/v1/analytics/brands")["brands"]
    assert drawn(overview.canvases["brands"]) == {
        b["brand_id"][:8]: pytest.approx(float(b["revenue"])) for b in brands
    }
    # and the total tiles show the same uses as the API
    assert overview.tiles["total-uses"] == str(sum(p["uses"] for p in top))
    assert Decimal(overview.tiles["total-revenue"].replace(",", "")) == sum(
        Decimal(p["revenue"]) for p in top
    )

    # and the promotion's page draws its timeline and skip reasons as the API reports them
    assert set(detail.canvases) == {"top", "stores", "brands", "timeline", "reasons"}
    for canvas in detail.canvases.values():
        assert_drawn(canvas)
    performance = api(server, f"/api/v1/analytics/promotions/{P1}/performance")
    assert drawn(detail.canvases["timeline"]) == {
        d["business_date"]: d["uses"] for d in performance["daily"]
    }
    assert drawn(detail.canvases["reasons"]) == {
        r["reason_code"]: r["skipped"] for r in performance["skip_reasons"]
    }


def _query(params: dict[str, str]) -> str:
    return str(httpx.QueryParams(params))
