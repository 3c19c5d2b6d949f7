"""Batch ingest helpers: records of a getmany batch, offsets to commit, results added up."""

from __future__ import annotations

from types import SimpleNamespace

from aiokafka import TopicPartition

from promoflow_usage_collector.adapters.batch_consumer import (
    merge_results,
    next_offsets,
    raw_records,
)
from promoflow_usage_collector.ingest_service import BatchResult, DeadLetter, RawRecord


def record(topic: str, partition: int, offset: int) -> RawRecord:
    return RawRecord(topic, partition, offset, b"k", b"v")


def test_the_offset_committed_per_partition_is_the_highest_consumed_plus_one() -> None:
    # given records of two partitions of one topic and one of another, out of order
    records = [
        record("r", 0, 7),
        record("r", 1, 3),
        record("r", 0, 5),
        record("r", 0, 9),
        record("e", 0, 41),
    ]
    # when the offsets to commit are computed
    offsets = next_offsets(records)
    # then each partition commits past its highest offset, and only the partitions seen
    assert offsets == {
        TopicPartition("r", 0): 10,
        TopicPartition("r", 1): 4,
        TopicPartition("e", 0): 42,
    }


def test_a_getmany_batch_becomes_raw_records_with_headers_as_a_list() -> None:
    # given a getmany batch with headers as a tuple on one record and none on another
    tp = TopicPartition("r", 2)
    batch = {
        tp: [
            SimpleNamespace(
                topic="r", partition=2, offset=11, key=b"a", value=b"1", headers=(("h", b"x"),)
            ),
            SimpleNamespace(topic="r", partition=2, offset=12, key=None, value=b"2", headers=None),
        ]
    }
    # when it is converted
    records = raw_records(batch)
    # then every field is kept and headers are lists
    assert records == [
        RawRecord("r", 2, 11, b"a", b"1", [("h", b"x")]),
        RawRecord("r", 2, 12, None, b"2", []),
    ]


def test_the_results_of_a_batch_s_topics_are_added_up() -> None:
    # given the results of the redemptions and the evaluations of one batch
    dead = DeadLetter(record("r", 0, 1), "bad", "MalformedRecord")
    redemptions = BatchResult(received=5, applied=3, duplicates=1, dead_letters=[dead])
    redemptions.limit_events = 2
    evaluations = BatchResult(received=4, applied=4)
    # when they are merged
    total = merge_results([redemptions, evaluations])
    # then every count is the sum and the dead letters are kept
    assert (total.received, total.applied, total.duplicates, total.limit_events) == (9, 7, 1, 2)
    assert total.dead_letters == [dead]
