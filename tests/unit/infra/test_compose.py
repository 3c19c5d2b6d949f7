"""docker-compose is checked statically (no Docker engine here): the Compose specification's
JSON schema, and parity with what the launcher runs (commands, ports, environment names)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from promoflow_infra.paths import REPO_ROOT
from promoflow_infra.services import (
    COLLECTOR_PORT,
    COMPILER_PORT,
    DEMO_COMPANY_ID,
    EVALUATOR_BASE_PORT,
    StoreSite,
    Wiring,
    demo_import,
    head_office,
    store_edge,
)
from promoflow_infra.supervisor import ServiceSpec

COMPOSE = REPO_ROOT / "infra" / "docker-compose.yml"
#: Option values that legitimately differ between a container and a local process.
LOCAL_VALUES = {"--host", "--data-dir", "--compiler-url", "--stores", "--token"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def _launcher_specs(tmp_path: Path) -> dict[str, ServiceSpec]:
    wiring = Wiring("127.0.0.1:9092", "postgresql+psycopg://x@127.0.0.1/db", "promoflow.", tmp_path)
    site = StoreSite(
        "S1", DEMO_COMPANY_ID, DEMO_COMPANY_ID, "Asia/Jakarta", "ID", "IDR", EVALUATOR_BASE_PORT
    )
    specs = head_office(wiring) + store_edge(wiring, site)
    return {spec.name.removesuffix("-S1"): spec for spec in specs}


def _normalise(argv: list[str]) -> list[str]:
    """argv without the interpreter path and with container/local-only option values blanked."""
    words = ["python", *argv[1:]]
    return [("<local>" if i and words[i - 1] in LOCAL_VALUES else w) for i, w in enumerate(words)]


def test_compose_file_follows_the_compose_specification() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_launcher_service_is_in_compose_with_the_same_command(tmp_path: Path) -> None:
    services = _compose()["services"]
    for name, spec in _launcher_specs(tmp_path).items():
        assert name in services, f"{name} runs under the launcher but not in docker-compose"
        assert _normalise(services[name]["command"]) == _normalise(list(spec.argv)), name


def test_the_demo_import_runs_as_under_the_launcher(tmp_path: Path) -> None:
    wiring = Wiring("127.0.0.1:9092", "postgresql+psycopg://x@127.0.0.1/db", "promoflow.", tmp_path)
    name, argv, env = demo_import(wiring, stores=1)
    service = _compose()["services"][name]
    assert _normalise(service["command"]) == _normalise(list(argv))
    assert set(service["environment"]) == set(env)
    assert service["depends_on"]["compiler-api"]["condition"] == "service_healthy"


def test_environment_names_match_the_launcher(tmp_path: Path) -> None:
    services = _compose()["services"]
    for name, spec in _launcher_specs(tmp_path).items():
        assert set(services[name]["environment"]) == set(spec.env), name


@pytest.mark.parametrize(
    ("service", "port"),
    [
        ("compiler-api", COMPILER_PORT),
        ("usage-collector-api", COLLECTOR_PORT),
        ("evaluator", EVALUATOR_BASE_PORT),
    ],
)
def test_http_services_expose_the_launcher_port_with_a_health_check(
    service: str, port: int
) -> None:
    definition = _compose()["services"][service]
    assert any(str(p).split(":")[-1] == str(port) for p in definition["ports"])
    assert f"localhost:{port}/health" in " ".join(definition["healthcheck"]["test"])


def test_stateless_services_can_be_scaled() -> None:
    services = _compose()["services"]
    for name in ("evaluator", "usage-collector-worker"):
        assert "container_name" not in services[name]
        assert all(":" not in str(p) for p in services[name].get("ports", [])), (
            f"{name} pins a host port"
        )


def test_every_service_builds_from_the_repository_dockerfile() -> None:
    services = _compose()["services"]
    python_services = [s for s in services.values() if s.get("image") == "promoflow:latest"]
    assert len(python_services) >= 10
    assert all(s["build"]["dockerfile"] == "infra/Dockerfile" for s in python_services)
    assert (REPO_ROOT / "infra" / "Dockerfile").is_file()


def test_the_default_store_is_the_one_the_demo_import_creates_in_the_image(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given no ../shared/data (the image has none), the demo's first store is the generated one
    monkeypatch.setenv("PROMOFLOW_DATA_DIR", "/nonexistent")
    from promoflow_infra.services import demo_sites

    [first] = demo_sites(1)
    env = _compose()["services"]["edge-sync"]["environment"]

    def default(name: str) -> str:
        return str(env[name]).split(":-", 1)[1].rstrip("}")

    assert default("PROMOFLOW_STORE_ID") == str(first.store_id)
    assert default("PROMOFLOW_STORE_BRAND_ID") == str(first.brand_id)
    assert default("PROMOFLOW_STORE_TIMEZONE") == first.timezone
    assert default("PROMOFLOW_STORE_CURRENCY") == first.currency
