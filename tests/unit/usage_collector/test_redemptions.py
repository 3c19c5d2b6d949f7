"""Redemption state: what counts, what a void subtracts, duplicates by redemption id."""

from __future__ import annotations

from decimal import Decimal

from promoflow_usage_collector.domain.redemptions import Redemption, apply_redemption_events
from tests.unit.usage_collector.builders import redemption, void


def test_a_recorded_redemption_starts_counting() -> None:
    # given a new redemption
    event = redemption()
    # when it is applied to no known state
    outcome = apply_redemption_events({}, [event])
    # then it is stored as counting and makes one +1 change
    state = outcome.states[event.data.redemption_id]
    assert state.counts
    assert [c.sign for c in outcome.changes] == [1]


def test_a_void_subtracts_the_recorded_amounts_not_the_voids() -> None:
    # given a stored redemption with a cart total and brand the void does not carry
    recorded = redemption(discount="1500", total="8500")
    known = {recorded.data.redemption_id: Redemption.from_recorded(recorded.data)}
    # when a void with different (wrong) amounts arrives
    outcome = apply_redemption_events(known, [void(recorded, discount_amount=Decimal("1"))])
    # then the change subtracts the recorded redemption, and the state is voided
    (change,) = outcome.changes
    assert change.sign == -1
    assert change.redemption.discount == Decimal("1500")
    assert change.redemption.cart_total == Decimal("8500")
    assert outcome.states[recorded.data.redemption_id].voided


def test_the_same_redemption_recorded_twice_counts_once() -> None:
    # given one redemption sent twice with different event ids
    first = redemption()
    again = redemption(redemption_id=first.data.redemption_id)
    # when both are applied
    outcome = apply_redemption_events({}, [first, again])
    # then only one +1 change exists
    assert [c.sign for c in outcome.changes] == [1]


def test_a_second_void_changes_nothing() -> None:
    # given a recorded then voided redemption
    recorded = redemption()
    first_void = void(recorded)
    # when another void of it arrives in the same batch
    outcome = apply_redemption_events({}, [recorded, first_void, void(recorded)])
    # then the net change is +1 -1 and no more
    assert [c.sign for c in outcome.changes] == [1, -1]


def test_a_void_before_its_redemption_means_it_never_counts() -> None:
    # given a void that arrives first
    recorded = redemption()
    early_void = void(recorded)
    # when the void and later the redemption are applied
    outcome = apply_redemption_events({}, [early_void, recorded])
    # then nothing counts and the stored state is recorded and voided
    assert outcome.changes == []
    state = outcome.states[recorded.data.redemption_id]
    assert state.recorded and state.voided and not state.counts


def test_a_redemption_already_stored_is_not_counted_again() -> None:
    # given a redemption the database already has
    recorded = redemption()
    known = {recorded.data.redemption_id: Redemption.from_recorded(recorded.data)}
    # when it is replayed
    outcome = apply_redemption_events(known, [recorded])
    # then nothing changes
    assert outcome.changes == [] and outcome.states == {}
