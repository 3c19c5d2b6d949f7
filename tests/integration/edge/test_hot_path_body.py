"""The hot path's 200 body is byte for byte the documented route's JSON for the same cart.

``POST /api/v1/evaluate`` is served by the bare endpoint writing the engine's document with
orjson; the documented FastAPI route (kept for OpenAPI) writes ``EvaluationResult``
with pydantic (``evaluate_now(cart).model_dump_json()``).
"""

from __future__ import annotations

from uuid import UUID

from promoflow_contracts.topics import Topics
from tests.factories import CROISSANT, LATTE, SAMPLE_RULES, cart, line
from tests.integration.edge.helpers import (
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
)

UNUSED = Topics("unused.")


async def test_hot_path_body_equals_the_documented_routes_json(
    store_id: UUID, edge_url: str
) -> None:
    # given a store holding one promotion of every type and a cart some of them apply to
    docs = [
        store_promotion(store_id, kind.upper(), rules=rules) for kind, rules in SAMPLE_RULES.items()
    ]
    seed_store(store_id, edge_url, *docs)
    request = cart(
        line("1", LATTE, 25000, 3), line("2", CROISSANT, 18000), payment_method="OVO"
    ).model_copy(update={"store_id": store_id})
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", UNUSED)) as api:
        # when the POS evaluates it over HTTP
        response = await api.client.post("/api/v1/evaluate", content=request.model_dump_json())
        documented = api.container.evaluator.evaluate_now(request).model_dump_json()
    # then the body is what the documented route writes, and something applied
    assert response.status_code == 200
    assert response.content == documented.encode()
    assert response.json()["applied"]
