"""Checkout (``POST /api/v1/transactions``) and void request/response.

Checkout re-evaluates the cart at the store (amounts sent by the POS are never trusted), checks
usage limits with what the store knows, and records redemptions. It is idempotent on
``transaction_id``: a retry returns the first result and records nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import Field

from promoflow_contracts.base import Code, ContractModel, Money, SignedMoney
from promoflow_contracts.cart import EvaluateRequest, PosId
from promoflow_contracts.results import EvaluationResult


class CheckoutRequest(EvaluateRequest):
    """A cart being paid: the evaluate request plus the POS transaction identity.

    ``expected_total`` is what the POS displayed; a mismatch is reported, never trusted.
    """

    transaction_id: PosId
    bill_id: PosId | None = None
    terminal_id: PosId | None = None
    cashier_id: PosId | None = None
    expected_total: Money | None = None


class RedemptionLine(ContractModel):
    """One promotion redeemed by a checkout."""

    redemption_id: UUID
    promotion_id: UUID
    code: Code
    discount: Money
    reward_amount: Money = Decimal(0)
    verified: bool = Field(
        description="True when usage limits were checked against HO; False when the store was "
        "offline and decided from what it knew (the redemption is flagged unverified)."
    )


class CheckoutResponse(ContractModel):
    """The recorded checkout: receipt lines with allocated discounts and the redemptions."""

    transaction_id: PosId
    status: Literal["completed", "voided"] = "completed"
    replayed: bool = Field(
        default=False, description="True when this answers a retry of an earlier checkout."
    )
    recorded_at: datetime
    total_mismatch: SignedMoney | None = Field(
        default=None,
        description="expected_total minus the payable total when the POS sent a different "
        "expected_total (positive: the POS expected to charge more); None when they agree.",
    )
    result: EvaluationResult
    redemptions: list[RedemptionLine]


class VoidRequest(ContractModel):
    """Reverse a completed checkout (``POST /api/v1/transactions/{id}/void``)."""

    reason: str = Field(min_length=1, max_length=500)
    cashier_id: PosId | None = None


class VoidResponse(ContractModel):
    """The recorded reversal; idempotent like checkout."""

    transaction_id: PosId
    status: Literal["voided"] = "voided"
    voided_at: datetime
    voided_redemptions: list[UUID]
    replayed: bool = False
