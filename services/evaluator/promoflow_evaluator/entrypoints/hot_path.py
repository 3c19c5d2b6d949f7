"""``POST /api/v1/evaluate`` served as a bare ASGI endpoint, ahead of FastAPI.

The POS calls evaluate on every scan, so what surrounds the engine must cost next to nothing.
Through FastAPI a request crosses its middleware stack (error and exception middleware, the
async exit stack, body limit, telemetry, the latency middleware) and the router before the
handler runs: for a small store's cart that costs about as much as the evaluation itself.
:class:`EvaluateEndpoint` does only what the contract needs, with the same answers as the
documented route (:func:`promoflow_evaluator.entrypoints.router.evaluate_cart`, kept for
OpenAPI):

* 401 ``{"detail": ...}`` without a valid ``X-Terminal-Key``;
* 422 with FastAPI's ``detail`` entries (``loc`` = field path) for a body the contract
  rejects, or the engine refuses (other store, currency, amount too fine);
* 503 before the first snapshot; 200 with the engine's full result otherwise.

Per request: the cart parsed straight from the body bytes by the contract model (pydantic-core),
the engine on the worker's snapshot (no I/O: allowances and customer counts come from it) giving
its result as one JSON-ready document (:meth:`EvaluatorService.evaluate_document_now`: plain
dicts and lists, exactly what the documented route's ``EvaluationResult`` writes, without
building and validating the ~25 KB of contract models), that document written by
``orjson.dumps`` (about 0.05 ms against pydantic-core's 0.3 ms for the models), a few metric
updates (pre-bound label children, ~25 µs).
Latency, the handler's synchronous work and the engine's share of it are observed in
``promoflow_evaluator_request_seconds``, ``promoflow_evaluator_handler_seconds`` and
``promoflow_evaluator_engine_seconds``.
"""

from __future__ import annotations

import hmac
import time

import orjson
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from promoflow_contracts.cart import EvaluateRequest
from promoflow_evaluator.entrypoints.deps import TERMINAL_KEY_HEADER, UNAUTHORIZED
from promoflow_evaluator.entrypoints.router import body_errors
from promoflow_evaluator.exceptions import InvalidCart, NotReady
from promoflow_evaluator.metrics import (
    ENGINE_SECONDS,
    EVALUATIONS,
    HANDLER_SECONDS,
    REQUEST_SECONDS,
)
from promoflow_evaluator.service import EvaluatorService

PATH = "/api/v1/evaluate"
_KEY_HEADER = TERMINAL_KEY_HEADER.lower().encode()
_JSON = (b"content-type", b"application/json")


class EvaluateEndpoint:
    """The hot path of one worker (see the module docstring)."""

    def __init__(self, evaluator: EvaluatorService, terminal_keys: list[str]) -> None:
        self._evaluator = evaluator
        self._keys = [key.encode() for key in terminal_keys]
        self._evaluations = EVALUATIONS.labels("evaluate")
        self._engine = ENGINE_SECONDS.labels("evaluate")
        self._handler = HANDLER_SECONDS.labels("evaluate")
        self._latency = {
            status: REQUEST_SECONDS.labels("POST", PATH, str(status))
            for status in (200, 401, 422, 503)
        }

    def _authorised(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == _KEY_HEADER:
                return any(hmac.compare_digest(value, known) for known in self._keys)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        body = await _read_body(receive)
        handler_started = time.perf_counter()
        status, payload, extra = self._answer(scope, body)
        if status == 200:
            self._handler.observe(time.perf_counter() - handler_started)
        headers = [_JSON, (b"content-length", str(len(payload)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        self._latency[status].observe(time.perf_counter() - started)

    def _answer(self, scope: Scope, body: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        if not self._authorised(scope):
            return 401, orjson.dumps({"detail": UNAUTHORIZED}), [(b"www-authenticate", _KEY_HEADER)]
        try:
            cart = EvaluateRequest.model_validate_json(body)
        except ValidationError as exc:
            return 422, orjson.dumps({"detail": body_errors(exc)}), []
        engine_started = time.perf_counter()
        try:
            document = self._evaluator.evaluate_document_now(cart)
        except NotReady as exc:
            return 503, orjson.dumps({"detail": str(exc)}), []
        except InvalidCart as exc:
            detail = [{"loc": ["body", exc.field], "msg": str(exc), "type": "invalid_cart"}]
            return 422, orjson.dumps({"detail": detail}), []
        self._engine.observe(time.perf_counter() - engine_started)
        self._evaluations.inc()
        return 200, orjson.dumps(document), []


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
