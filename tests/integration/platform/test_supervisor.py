"""The supervisor runs service processes with logs, readiness and a clean stop."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from promoflow_infra.processes import free_port
from promoflow_infra.supervisor import ServiceFailed, ServiceSpec, Supervisor


def test_http_service_becomes_ready_and_stops(tmp_path: Path) -> None:
    port = free_port()
    spec = ServiceSpec(
        "web",
        (sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"),
        port=port,
        health_path="/",
    )
    supervisor = Supervisor(tmp_path)
    supervisor.start(spec)
    try:
        waited = supervisor.wait_ready(spec, timeout=20)
        assert waited < 20
        assert supervisor.status() == {"web": True}
    finally:
        stopped = supervisor.stop_all()
    assert stopped == ["web"]
    assert Supervisor(tmp_path).status() == {}


def test_a_crashing_service_is_reported_with_its_log(tmp_path: Path) -> None:
    spec = ServiceSpec("crash", (sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"))
    supervisor = Supervisor(tmp_path)
    supervisor.start(spec)
    with pytest.raises(ServiceFailed, match="crash exited with 3") as excinfo:
        supervisor.wait_ready(spec, timeout=10)
    assert "boom" in str(excinfo.value)
    supervisor.stop_all()
