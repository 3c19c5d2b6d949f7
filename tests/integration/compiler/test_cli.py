"""The commands the launcher starts: ``python -m promoflow_compiler relay|scheduler``
(``api`` is started the same way by ``benchmarks/compiler_bench.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from promoflow_contracts.topics import Topics
from tests.integration.compiler.kafka_io import read_topic
from tests.integration.compiler.seed import ADMIN, ADMIN_TOKEN, ok
from tests.unit.compiler.builders import spec_dict

REPO = Path(__file__).resolve().parents[3]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "promoflow_compiler", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_relay_and_scheduler_commands_run_once(
    kafka_client: TestClient, ho_database_url: str, topics: Topics, kafka_bootstrap: str
) -> None:
    # given an activated promotion waiting in the outbox
    pid = ok(
        kafka_client.post(
            "/api/v1/promotions", headers=ADMIN, json={**spec_dict(code="CLI"), "activate": True}
        ),
        201,
    )["id"]
    env = {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_HO_DATABASE_URL": ho_database_url,
        "PROMOFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROMOFLOW_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PROMOFLOW_TOPIC_PREFIX": topics.prefix,
    }
    # when the scheduler and the relay run once each
    scheduler = run(["scheduler", "--once"], env)
    relay = run(["relay", "--once"], env)
    # then both exit cleanly and the promotion is on the topic
    assert scheduler.returncode == 0, scheduler.stderr
    assert relay.returncode == 0 and "1 records published" in relay.stdout, relay.stderr
    assert [s.key for s in await read_topic(kafka_bootstrap, topics.promotions.name)] == [pid]
