"""PromoFlow contracts: the single source of truth for everything that crosses a process.

Pydantic v2 models for the compiled promotion document, the event envelope and events, the
evaluate and checkout request/response, and the topic names, keys and serialisation. This is a
library: no entry points, no I/O beyond what a caller asks for.
"""

from promoflow_contracts.base import (
    BUNDLE_TYPES,
    MINOR_UNIT_DIGITS,
    PromotionType,
    SalesChannel,
    Stage,
)
from promoflow_contracts.cart import CartLine, Customer, EvaluateRequest, Modifier
from promoflow_contracts.checkout import (
    CheckoutRequest,
    CheckoutResponse,
    RedemptionLine,
    VoidRequest,
    VoidResponse,
)
from promoflow_contracts.events import (
    EvaluationLogged,
    Event,
    LimitStateChanged,
    PromotionPublished,
    PromotionWithdrawn,
    RedemptionRecorded,
    RedemptionVoided,
)
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult, ReasonCode
from promoflow_contracts.topics import Topics

__all__ = [
    "BUNDLE_TYPES",
    "MINOR_UNIT_DIGITS",
    "CartLine",
    "CheckoutRequest",
    "CheckoutResponse",
    "CompiledPromotion",
    "Customer",
    "EvaluateRequest",
    "EvaluationLogged",
    "EvaluationResult",
    "Event",
    "LimitStateChanged",
    "Modifier",
    "PromotionPublished",
    "PromotionType",
    "PromotionWithdrawn",
    "ReasonCode",
    "RedemptionLine",
    "RedemptionRecorded",
    "RedemptionVoided",
    "SalesChannel",
    "Stage",
    "Topics",
    "VoidRequest",
    "VoidResponse",
]
