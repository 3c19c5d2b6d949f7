"""What the launcher runs: every PromoFlow service as a process, in start order.

One table, two users: the launcher starts these specs (:mod:`promoflow_infra.cli`), and the
docker-compose check (``tests/unit/infra/test_compose.py``) compares ``infra/docker-compose.yml``
with the same commands, ports and environment names, so the two never drift apart.

HO: compiler API (:data:`COMPILER_PORT`), outbox relay, scheduler, limits consumer; usage
collector worker and analytics API (:data:`COLLECTOR_PORT`). Per demo store: edge sync,
evaluator API (``EVALUATOR_BASE_PORT + n``) and the evaluator's outbox relay, over one SQLite
edge store in ``<run dir>/stores/<store code>/edge.db``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from promoflow_infra.datasets.model import stable_id
from promoflow_infra.supervisor import ServiceSpec

COMPILER_PORT = 8000
COLLECTOR_PORT = 8200
EVALUATOR_BASE_PORT = 8101
#: The demo company every demo store belongs to (stable across runs).
DEMO_COMPANY_ID = stable_id("company", "promoflow-demo")
#: Development credentials (``PROMOFLOW_ENV=development``): the compiler's admin token (which
#: may call the sync API) and the collector's analytics token (which may read customer usage).
DEV_SYNC_TOKEN = "dev-admin-token"
DEV_USAGE_TOKEN = "dev-analytics-token"


@dataclass(frozen=True, slots=True)
class StoreSite:
    """A store the launcher runs an edge for: identity, locale and its evaluator port."""

    code: str
    store_id: UUID
    brand_id: UUID
    timezone: str
    country: str
    currency: str
    evaluator_port: int


@dataclass(frozen=True, slots=True)
class Wiring:
    """Addresses every service needs: broker, HO database, topic prefix, run dir, HO ports;
    and how many worker processes each store's evaluator runs."""

    kafka_bootstrap: str
    ho_database_url: str
    topic_prefix: str
    run_dir: Path
    compiler_port: int = COMPILER_PORT
    collector_port: int = COLLECTOR_PORT
    evaluator_workers: int = 2


def _python(module: str, *args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", module, *args)


def _common(wiring: Wiring) -> dict[str, str]:
    return {
        "PROMOFLOW_ENV": "development",
        "PROMOFLOW_KAFKA_BOOTSTRAP": wiring.kafka_bootstrap,
        "PROMOFLOW_TOPIC_PREFIX": wiring.topic_prefix,
        "PROMOFLOW_HO_DATABASE_URL": wiring.ho_database_url,
    }


def migrations(wiring: Wiring) -> list[tuple[str, tuple[str, ...], dict[str, str]]]:
    """The schema migrations to run (name, argv, env) before any service starts."""
    env = _common(wiring)
    return [
        ("compiler-migrate", _python("promoflow_compiler", "migrate"), env),
        ("usage-collector-migrate", _python("promoflow_usage_collector", "migrate"), env),
    ]


def demo_import(wiring: Wiring, stores: int) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """The demo data import (name, argv, env), run once the compiler API is ready: the demo
    stores' company, brands, stores, menus and promotions of all 12 types, through the
    compiler's public API (idempotent: a second run changes nothing)."""
    url = f"http://127.0.0.1:{wiring.compiler_port}"
    argv = _python(
        "promoflow_infra.demo",
        "import",
        *("--compiler-url", url, "--stores", str(stores), "--token", DEV_SYNC_TOKEN),
    )
    return ("demo-import", argv, _common(wiring))


def head_office(wiring: Wiring) -> list[ServiceSpec]:
    """HO services: compiler API, relay, scheduler, limits consumer; collector worker and API."""
    env = _common(wiring)
    host = ("--host", "127.0.0.1")
    return [
        ServiceSpec(
            "compiler-api",
            _python("promoflow_compiler", "api", *host, "--port", str(wiring.compiler_port)),
            env,
            wiring.compiler_port,
        ),
        ServiceSpec("compiler-relay", _python("promoflow_compiler", "relay"), env),
        ServiceSpec("compiler-scheduler", _python("promoflow_compiler", "scheduler"), env),
        ServiceSpec("compiler-limits", _python("promoflow_compiler", "limits-consumer"), env),
        ServiceSpec(
            "usage-collector-worker",
            _python(
                "promoflow_usage_collector", "worker", "--data-dir", str(wiring.run_dir / "faust")
            ),
            env,
            grace_seconds=5.0,
        ),
        ServiceSpec(
            "usage-collector-api",
            _python(
                "promoflow_usage_collector", "api", *host, "--port", str(wiring.collector_port)
            ),
            env,
            wiring.collector_port,
        ),
    ]


def store_env(wiring: Wiring, store: StoreSite) -> dict[str, str]:
    """Environment of a store's edge processes (edge sync, evaluator, evaluator relay)."""
    edge_db = wiring.run_dir / "stores" / store.code / "edge.db"
    return {
        **_common(wiring),
        "PROMOFLOW_STORE_ID": str(store.store_id),
        "PROMOFLOW_STORE_COMPANY_ID": str(DEMO_COMPANY_ID),
        "PROMOFLOW_STORE_BRAND_ID": str(store.brand_id),
        "PROMOFLOW_STORE_TIMEZONE": store.timezone,
        "PROMOFLOW_STORE_COUNTRY": store.country,
        "PROMOFLOW_STORE_CURRENCY": store.currency,
        "PROMOFLOW_EDGE_DATABASE_URL": f"sqlite:///{edge_db}",
        "PROMOFLOW_HO_SYNC_URL": f"http://127.0.0.1:{wiring.compiler_port}",
        "PROMOFLOW_HO_USAGE_URL": f"http://127.0.0.1:{wiring.collector_port}",
        # Two HO secrets: the compiler's sync API and the collector's usage API.
        "PROMOFLOW_HO_SYNC_TOKEN": DEV_SYNC_TOKEN,
        "PROMOFLOW_HO_USAGE_TOKEN": DEV_USAGE_TOKEN,
    }


def store_edge(wiring: Wiring, store: StoreSite) -> list[ServiceSpec]:
    """One store's edge: edge sync, evaluator API (``wiring.evaluator_workers`` worker
    processes), evaluator outbox relay."""
    env = store_env(wiring, store)
    (wiring.run_dir / "stores" / store.code).mkdir(parents=True, exist_ok=True)
    port = str(store.evaluator_port)
    return [
        ServiceSpec(f"edge-sync-{store.code}", _python("promoflow_edge_sync", "run"), env),
        ServiceSpec(
            f"evaluator-{store.code}",
            _python(
                "promoflow_evaluator",
                "api",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--workers",
                str(wiring.evaluator_workers),
            ),
            env,
            store.evaluator_port,
        ),
        ServiceSpec(f"evaluator-relay-{store.code}", _python("promoflow_evaluator", "relay"), env),
    ]


def demo_sites(count: int, evaluator_base_port: int = EVALUATOR_BASE_PORT) -> list[StoreSite]:
    """The first ``count`` stores of the demo data (London takeaway first, then GoFood chain
    outlets; the synthetic dataset when ``../shared/data`` is absent), with evaluator ports."""
    from promoflow_infra.datasets import gofood, london_takeaway, paths, synthetic

    found = paths.data_dir()
    stores = []
    if found is not None:
        stores += london_takeaway.stores()
        stores += gofood.read(found, max_brands=3).stores
    else:
        stores += synthetic.generate(receipts=0).stores
    return [
        StoreSite(
            s.code, s.id, s.brand_id, s.timezone, s.country, s.currency, evaluator_base_port + n
        )
        for n, s in enumerate(stores[:count])
    ]
