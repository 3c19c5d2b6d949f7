"""Crashes and scaling: a worker SIGKILLed mid-stream loses and duplicates nothing; two
workers in one consumer group split the partitions and the totals stay exact."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

from tests.factories import uid
from tests.integration.usage_collector.conftest import CollectorSetup
from tests.integration.usage_collector.helpers import produce, wait_until
from tests.unit.usage_collector.builders import redemption

STORES = [uid(f"recovery-store-{i}") for i in range(5)]


def counted(setup: CollectorSetup) -> tuple[int, int]:
    """(sum of uses over every promotion, processed event rows)."""
    ((total,),) = setup.query("SELECT COALESCE(SUM(uses), 0) FROM usage.promotion_totals")
    ((processed,),) = setup.query("SELECT COUNT(*) FROM usage.processed_events")
    return int(total), int(processed)


async def test_a_worker_killed_mid_stream_and_restarted_loses_and_duplicates_nothing(
    collector: CollectorSetup,
) -> None:
    # given a worker committing small batches, and 3,000 redemptions of 20 promotions
    setup = collector
    promotions = [uuid4() for _ in range(20)]
    events = [
        redemption(promotion_id=promotions[i % 20], store_id=STORES[i % 5]) for i in range(3000)
    ]
    first = setup.start_worker(
        "--batch-size", "50", "--batch-within", "0.05", "--session-timeout", "6", name="first"
    )
    await setup.wait_for_members(1)
    # when they are produced and the worker is SIGKILLed part way through
    await produce(setup.bootstrap, setup.topics, events)
    deadline = time.monotonic() + 60
    while counted(setup)[1] < 200:
        assert first.process.poll() is None, first.tail()
        assert time.monotonic() < deadline, "worker did not start counting"
        await asyncio.sleep(0.02)
    first.kill()
    at_kill = counted(setup)
    assert at_kill[1] < len(events), "the worker finished before it was killed"
    # and a new worker of the same group takes over
    setup.start_worker("--batch-size", "500", name="second")

    def alive() -> None:
        assert setup.workers[-1].process.poll() is None, setup.workers[-1].tail()

    # then every redemption is counted exactly once
    await wait_until(lambda: counted(setup), (3000, 3000), timeout=90, alive=alive)
    per_promotion = setup.query(
        "SELECT uses FROM usage.promotion_totals WHERE promotion_id = ANY(CAST(:ids AS uuid[]))",
        ids=promotions,
    )
    assert sorted(row[0] for row in per_promotion) == [150] * 20


async def test_two_workers_in_one_group_split_partitions_and_totals_are_exact(
    collector: CollectorSetup,
) -> None:
    # given two workers of one consumer group, both holding partitions
    setup = collector
    setup.start_worker(name="one")
    setup.start_worker(name="two")
    await setup.wait_for_members(2)
    # when 2,000 redemptions of 30 promotions are produced
    promotions = [uuid4() for _ in range(30)]
    events = [
        redemption(promotion_id=promotions[i % 30], store_id=STORES[i % 5]) for i in range(2000)
    ]
    await produce(setup.bootstrap, setup.topics, events)

    def alive() -> None:
        for worker in setup.workers:
            assert worker.process.poll() is None, worker.tail()

    # then the totals are exact
    await wait_until(lambda: counted(setup), (2000, 2000), timeout=90, alive=alive)
    per_store = setup.query(
        "SELECT store_id, SUM(uses) FROM usage.promotion_daily GROUP BY store_id"
    )
    assert sorted(int(n) for _, n in per_store) == [400] * 5
    # and both workers processed a share of the events
    shares = setup.query(
        "SELECT processed_by, COUNT(*) FROM usage.processed_events GROUP BY processed_by"
    )
    assert len(shares) == 2, shares
    assert all(n > 0 for _, n in shares)
